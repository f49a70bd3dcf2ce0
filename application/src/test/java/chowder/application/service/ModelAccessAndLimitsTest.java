package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.ResponseRequest;
import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallMeter;
import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.OrganizationDetails;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.SendResponseCommand;
import chowder.domain.ApiKeyKind;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.LimitExceededException;
import chowder.domain.ModelApi;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionId;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Organizations' model keys, which providers an instance may use, the model endpoint's authorization and metering, and
 * budgets and rates of organizations, keys and sessions, over in-memory fakes of the stores and counters.
 */
class ModelAccessAndLimitsTest {
    private static final Instant NOW = Instant.parse("2026-12-05T22:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final InMemoryStore store = new InMemoryStore();
    private final InMemoryLimitCounters counters = new InMemoryLimitCounters();
    private final InMemoryModelUsage modelUsage = new InMemoryModelUsage();
    private final FixedCatalog catalog = new FixedCatalog(ModelProviderName.ANTHROPIC);
    private final OrganizationService organizations = new OrganizationService(store, store, store, catalog, store, store,
            new InstanceLimits(5), new SecureRandom(), clock);
    private final AuthenticationService authentication = new AuthenticationService(store, new KeyUsageRecorder(store), clock);
    private final ApiKeyService keys = new ApiKeyService(store, store, store, new SecureRandom(), clock);
    private final UsageLimiter limiter = new UsageLimiter(store, counters, clock);
    private final ModelCredentials credentials = new ModelCredentials(new SecureRandom());
    private final ModelUsageRecorder usage = new ModelUsageRecorder(modelUsage);
    private final RecordingProvisioner provisioner = new RecordingProvisioner();
    private final ScriptedHealth health = new ScriptedHealth();
    private final InstanceHealthService probes = new InstanceHealthService(store, store, health, Runnable::run, 8, clock);
    private final RecordingGateway gateway = new RecordingGateway();
    private final ModelRefusals refusals = new ModelRefusals();
    private final ResponseService responses = new ResponseService(store, gateway, new SessionRegistry(new InMemorySessions()), limiter,
            refusals, clock);
    private final LimitsService limits = new LimitsService(store, keys, store, store);

    private ModelAccessService access(boolean operatorKeysForAll) {
        return new ModelAccessService(credentials, store, catalog, store, store, limiter, usage, new ModelAccessPolicy(operatorKeysForAll),
                refusals, clock);
    }

    private InstanceService instances(ModelAccessService access) {
        return new InstanceService(store, store, health, probes, new InstanceLimits(5), store, provisioner, GatewaySettings.NONE, access,
                credentials, clock);
    }

    @Test
    void modelKeysAreMergedAndRemovedAndOnlyTheirProvidersAreShown() {
        Caller acme = callerOf(organizations.create("Acme"));

        OrganizationDetails withKeys = organizations.update(acme, Optional.empty(), Map.of("openai", "sk-openai-1", "anthropic", "sk-ant-1"));
        assertThat(withKeys.modelProviders()).containsExactlyInAnyOrder(ModelProviderName.OPENAI, ModelProviderName.ANTHROPIC);
        OrganizationDetails merged = organizations.update(acme, Optional.of("Acme Corp"), Map.of("openai", ""));
        assertThat(merged.modelProviders()).containsExactly(ModelProviderName.ANTHROPIC);
        assertThat(merged.organization().name()).isEqualTo("Acme Corp");
        assertThat(store.keyOf(acme.organizationId(), ModelProviderName.ANTHROPIC)).hasValueSatisfying(key ->
                assertThat(key.value()).isEqualTo("sk-ant-1"));
        assertThat(merged.toString()).doesNotContain("sk-ant-1");

        // Nothing is written when one entry is wrong, and no error quotes a key.
        assertThatThrownBy(() -> organizations.update(acme, Optional.of("Renamed"), Map.of("gemini", "sk-gem", "mistral", "sk-mis")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains("unknown provider 'mistral'").doesNotContain("sk-mis").doesNotContain("sk-gem");
                });
        assertThatThrownBy(() -> organizations.update(acme, Optional.empty(), Map.of("gemini", "sk with spaces")))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.getMessage()).startsWith("model_api_keys.gemini: ")
                        .doesNotContain("sk with spaces"));
        assertThat(organizations.get(acme).organization().name()).isEqualTo("Acme Corp");
        assertThat(organizations.get(acme).modelProviders()).containsExactly(ModelProviderName.ANTHROPIC);
    }

    @Test
    void theOperatorsPlanSetsTheTierAndInstanceLimitThatTheOrganizationSees() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        InstanceService instances = instances(access);
        assertThat(organizations.get(acme).instanceLimit()).hasValue(5);
        assertThat(organizations.get(acme).plan().tier()).isEqualTo(OrganizationPlan.DEFAULT_TIER);

        limits.setPlan(Caller.allOrganizations(), acme.organizationId(), new OrganizationPlan("team", OptionalInt.of(1), UsageLimits.NONE,
                Optional.empty()));
        instances.register(RegisterInstanceCommand.of(acme, "one", "http://127.0.0.1:1", "t"));
        assertThatThrownBy(() -> instances.register(RegisterInstanceCommand.of(acme, "two", "http://127.0.0.1:1", "t")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_LIMIT_REACHED);
                    assertThat(e.getMessage()).isEqualTo("Instance limit reached: this organization may have 1 instance.");
                });
        OrganizationDetails details = organizations.get(acme);
        assertThat(details.plan().tier()).isEqualTo("team");
        assertThat(details.instanceLimit()).hasValue(1);
        assertThat(details.instanceCount()).isEqualTo(1);
        // Only the operator sets a plan.
        assertCode(() -> limits.setPlan(acme, acme.organizationId(), OrganizationPlan.DEFAULT), ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aProvisionedInstanceNeedsAProviderItsOrganizationCanUse() {
        Caller acme = callerOf(organizations.create("Acme"));
        InstanceService instances = instances(access(true));

        // The hosted default (anthropic) needs the organization's own key: the operator has none for it.
        assertThatThrownBy(() -> instances.register(provisioned(acme, null)))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).isEqualTo("model_provider anthropic: this organization holds no key for it; add one with "
                            + "PATCH /v1/organization {\"model_api_keys\": {\"anthropic\": \"…\"}}.");
                });
        assertCode(() -> instances.register(provisioned(acme, "mistral")), ErrorCode.VALIDATION_FAILED);
        assertThat(store.instances).isEmpty();

        organizations.update(acme, Optional.empty(), Map.of("anthropic", "sk-ant-acme"));
        Instance withOwnKey = instances.register(provisioned(acme, null));
        assertThat(withOwnKey.settings().modelProvider()).hasValue("anthropic");
        // Operator's providers: one needing no key, one with the operator's key; both allowed by default.
        instances.register(provisioned(acme, "local"));
        instances.register(provisioned(acme, "paid"));
        assertThat(provisioner.started).hasSize(3);
        assertThat(provisioner.started).extracting(RecordingProvisioner.Started::credential).doesNotHaveDuplicates()
                .allSatisfy(credential -> assertThat(credential).startsWith("chm_").doesNotContain("sk-"));

        // CHOWDER_OPERATOR_MODEL_KEYS=none: only organizations the operator allows use its providers.
        InstanceService strict = instances(access(false));
        assertCode(() -> strict.register(provisioned(acme, "paid")), ErrorCode.VALIDATION_FAILED);
        limits.setPlan(Caller.allOrganizations(), acme.organizationId(), new OrganizationPlan("team", OptionalInt.empty(), UsageLimits.NONE,
                Optional.of(true)));
        strict.register(provisioned(acme, "paid"));
    }

    @Test
    void aGatewaysCredentialGetsItsOrganizationsKeyForItsOwnProviderOnlyAndDiesWithItsInstance() {
        Caller acme = callerOf(organizations.create("Acme"));
        Caller globex = callerOf(organizations.create("Globex"));
        ModelAccessService access = access(true);
        InstanceService instances = instances(access);
        organizations.update(acme, Optional.empty(), Map.of("openai", "sk-acme"));
        organizations.update(globex, Optional.empty(), Map.of("openai", "sk-globex"));
        Instance acmeBot = instances.register(provisioned(acme, "openai"));
        Instance globexBot = instances.register(provisioned(globex, "openai"));
        Instance paidBot = instances.register(provisioned(acme, "paid"));

        ModelCallGrant acmeGrant = access.authorize(provisioner.credentialOf(acmeBot.id()), ModelProviderName.OPENAI);
        ModelCallGrant globexGrant = access.authorize(provisioner.credentialOf(globexBot.id()), ModelProviderName.OPENAI);
        assertThat(acmeGrant.key()).hasValueSatisfying(key -> assertThat(key.value()).isEqualTo("sk-acme"));
        assertThat(acmeGrant.organization()).isEqualTo(acme.organizationId());
        assertThat(acmeGrant.api()).isEqualTo(ModelApi.OPENAI_COMPLETIONS);
        assertThat(acmeGrant.models()).containsExactly("gpt");
        assertThat(globexGrant.key()).hasValueSatisfying(key -> assertThat(key.value()).isEqualTo("sk-globex"));
        assertThat(access.authorize(provisioner.credentialOf(paidBot.id()), FixedCatalog.PAID).key()).contains(FixedCatalog.OPERATOR_KEY);

        // Another provider than its instance's, even one its organization holds a key for, is refused.
        organizations.update(acme, Optional.empty(), Map.of("anthropic", "sk-ant"));
        assertCode(() -> access.authorize(provisioner.credentialOf(acmeBot.id()), ModelProviderName.ANTHROPIC), ErrorCode.PERMISSION_DENIED);
        assertCode(() -> access.authorize("chm_made-up", ModelProviderName.OPENAI), ErrorCode.INVALID_API_KEY);
        assertCode(() -> access.authorize("sk-acme", ModelProviderName.OPENAI), ErrorCode.INVALID_API_KEY);
        // Its organization removed its key: the next call is refused, not made with someone else's.
        organizations.update(acme, Optional.empty(), Map.of("openai", ""));
        assertCode(() -> access.authorize(provisioner.credentialOf(acmeBot.id()), ModelProviderName.OPENAI), ErrorCode.PERMISSION_DENIED);

        String stoppedCredential = provisioner.credentialOf(globexBot.id());
        instances.stop(globex, globexBot.id());
        assertCode(() -> access.authorize(stoppedCredential, ModelProviderName.OPENAI), ErrorCode.INVALID_API_KEY);
        // Started again: a new credential; the old one stays dead.
        instances.start(globex, globexBot.id());
        assertThat(provisioner.credentialOf(globexBot.id())).isNotEqualTo(stoppedCredential);
        assertThat(access.authorize(provisioner.credentialOf(globexBot.id()), ModelProviderName.OPENAI).key()).isPresent();
        assertCode(() -> access.authorize(stoppedCredential, ModelProviderName.OPENAI), ErrorCode.INVALID_API_KEY);
    }

    @Test
    void modelCallsAreMeteredAndTheOrganizationsBudgetStopsTheNextOne() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        Instance bot = instances(access).register(provisioned(acme, "local"));
        givePlan(acme, new UsageLimits(OptionalLong.of(100), OptionalLong.empty(), OptionalLong.empty()));
        String credential = provisioner.credentialOf(bot.id());

        call(access, credential, 0).finished(new ModelTokens(60, 20, 10));
        call(access, credential, 0).finished(new ModelTokens(25, 5, 0));
        // 110 of 100 spent: the call that crossed the line ran to its end; the next one is refused until midnight UTC.
        assertThatThrownBy(() -> call(access, credential, 0))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("Budget exceeded: this organization's tokens_per_day (100 tokens) is spent; "
                            + "the daily budget renews in 7200 s (at the start of the next UTC day).");
                    assertThat(e.budget()).isTrue();
                    assertThat(e.retryAfterSeconds()).isEqualTo(7200);
                });

        usage.flush();
        assertThat(modelUsage.hours.entrySet()).singleElement().satisfies(hour -> {
            assertThat(hour.getKey().instance()).isEqualTo(bot.id());
            assertThat(hour.getKey().organization()).isEqualTo(acme.organizationId());
            assertThat(hour.getValue().requests()).isEqualTo(2);
            assertThat(hour.getValue().tokens()).isEqualTo(new ModelTokens(85, 25, 10));
        });
        ModelUsageService report = new ModelUsageService(store, modelUsage, usage);
        assertThat(report.modelUsage(acme, bot.id(), NOW.minus(Duration.ofDays(1)), NOW.plusSeconds(1)))
                .singleElement().satisfies(provider -> {
                    assertThat(provider.provider()).isEqualTo(FixedCatalog.LOCAL);
                    assertThat(provider.requests()).isEqualTo(2);
                });
    }

    @Test
    void anOrganizationDeniedTheOperatorsProvidersCannotReachThemWithAKeyItMadeUp() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService strict = access(false);

        // The attack: a made-up key for the operator's keyless local model (or its paid one) would have been "its own".
        assertThatThrownBy(() -> organizations.update(acme, Optional.empty(), Map.of("local", "sk-made-up")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).isEqualTo("model_api_keys: provider 'local' is the operator's own and takes no organization key; "
                            + "this Chowder takes organization keys for [anthropic, gemini, openai, proxy].").doesNotContain("sk-made-up");
                });
        assertCode(() -> organizations.update(acme, Optional.empty(), Map.of("paid", "sk-made-up")), ErrorCode.VALIDATION_FAILED);
        assertThat(organizations.get(acme).modelProviders()).isEmpty();
        assertThatThrownBy(() -> instances(strict).register(provisioned(acme, "local"))).isInstanceOfSatisfying(ChowderException.class, e ->
                assertThat(e.getMessage()).isEqualTo("model_provider local: it is the operator's own provider, which takes no organization "
                        + "key, and this organization's plan does not include the operator's providers."));

        // A key stored before this rule (or written behind the API's back) buys nothing either: creating and calling are refused.
        store.change(acme.organizationId(), Map.of(FixedCatalog.LOCAL, Optional.of(new chowder.domain.ModelApiKey("sk-stored-earlier"))));
        assertCode(() -> instances(strict).register(provisioned(acme, "local")), ErrorCode.VALIDATION_FAILED);
        Instance bot = instances(access(true)).register(provisioned(acme, "local"));
        assertCode(() -> strict.authorize(provisioner.credentialOf(bot.id()), FixedCatalog.LOCAL), ErrorCode.PERMISSION_DENIED);
        // Where the operator lets it in, the call runs on the operator's account: the stored key is never sent.
        ModelCallGrant operators = access(true).authorize(provisioner.credentialOf(bot.id()), FixedCatalog.LOCAL);
        assertThat(operators.key()).isEmpty();
        assertThat(operators.account()).isEqualTo(Account.OPERATOR);
        // It may still remove the stale key; an operator's provider marked for organization keys takes one.
        organizations.update(acme, Optional.empty(), Map.of("local", "", "proxy", "sk-acme-proxy"));
        assertThat(organizations.get(acme).modelProviders()).containsExactly(FixedCatalog.PROXY);
        Instance proxied = instances(strict).register(provisioned(acme, "proxy"));
        ModelCallGrant own = strict.authorize(provisioner.credentialOf(proxied.id()), FixedCatalog.PROXY);
        assertThat(own.account()).isEqualTo(Account.ORGANIZATION);
        assertThat(own.key()).hasValueSatisfying(key -> assertThat(key.value()).isEqualTo("sk-acme-proxy"));
    }

    @Test
    void eachModelCallReservesItsEstimateSoCallsRunningAtOnceCannotAllPassAndItsEndSettlesIt() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        String credential = provisioner.credentialOf(instances(access).register(provisioned(acme, "local")).id());
        String day = "org:" + acme.organizationId();

        // Without a budget nothing is reserved: no counter is touched.
        call(access, credential, 600).finished(new ModelTokens(10, 0, 0));
        assertThat(counters.tokens).isEmpty();

        givePlan(acme, new UsageLimits(OptionalLong.of(1_000), OptionalLong.empty(), OptionalLong.empty()));
        ModelCallMeter first = call(access, credential, 600);
        ModelCallMeter second = call(access, credential, 600);
        // Two calls still running hold 1200 of 1000: a third is refused before either has ended.
        assertThatThrownBy(() -> call(access, credential, 600)).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.budget()).isTrue());
        assertThat(counters.spent(day)).isEqualTo(1_200);
        // Each end replaces its reservation with what the call used.
        first.finished(new ModelTokens(80, 20, 0));
        assertThat(counters.spent(day)).isEqualTo(700);
        ModelCallMeter third = call(access, credential, 200);
        second.finished(new ModelTokens(900, 100, 0));
        third.finished(ModelTokens.NONE);
        assertThat(counters.spent(day)).isEqualTo(1_100);
        assertThatThrownBy(() -> call(access, credential, 1)).isInstanceOf(LimitExceededException.class);

        // A monthly budget that refuses gives back what the daily one had reserved.
        Caller globex = callerOf(organizations.create("Globex"));
        String globexCredential = provisioner.credentialOf(instances(access).register(provisioned(globex, "local")).id());
        givePlan(globex, new UsageLimits(OptionalLong.of(1_000), OptionalLong.of(500), OptionalLong.empty()));
        call(access, globexCredential, 600);
        assertThatThrownBy(() -> call(access, globexCredential, 600)).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Budget exceeded: this organization's tokens_per_month (500 tokens) is spent"));
        assertThat(counters.spent("DAY:org:" + globex.organizationId())).isEqualTo(600);
    }

    @Test
    void anOrganizationsRequestsPerMinuteLimitsItsModelCallsApartFromItsTurns() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        InstanceService instances = instances(access);
        String credential = provisioner.credentialOf(instances.register(provisioned(acme, "local")).id());
        Instance registered = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        givePlan(acme, new UsageLimits(OptionalLong.of(1_000), OptionalLong.empty(), OptionalLong.of(2)));

        call(access, credential, 100).finished(ModelTokens.NONE);
        call(access, credential, 100).finished(ModelTokens.NONE);
        assertThatThrownBy(() -> call(access, credential, 100)).isInstanceOfSatisfying(LimitExceededException.class, e -> {
            assertThat(e.budget()).isFalse();
            assertThat(e.getMessage()).startsWith("Rate limit exceeded: this organization's requests_per_minute (2) is used up by its model "
                    + "calls; retry in ");
        });
        // The refused call reserved nothing in the end; the turns' allowance is their own.
        assertThat(counters.spent("org:" + acme.organizationId())).isZero();
        send(acme, registered, "main");
        send(acme, registered, "main");
    }

    @Test
    void aTurnItsGatewayCouldNotFinishBecauseAModelCallWasRefusedSaysWhy() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        Instance bot = instances(access).register(provisioned(acme, "local"));
        givePlan(acme, new UsageLimits(OptionalLong.of(100), OptionalLong.empty(), OptionalLong.empty()));
        String credential = provisioner.credentialOf(bot.id());
        // During the turn: a model call spends past the budget, the next is refused, and the gateway gives up with a 500.
        gateway.duringCall = () -> {
            call(access, credential, 0).finished(new ModelTokens(150, 0, 0));
            assertThatThrownBy(() -> call(access, credential, 0)).isInstanceOf(LimitExceededException.class);
        };
        gateway.failure = new ChowderException(ErrorCode.GATEWAY_FAILED, "Gateway error – it answered 500: internal error");

        assertThatThrownBy(() -> send(acme, bot, "main")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Budget exceeded: this organization's tokens_per_day (100 tokens) is spent"));

        // A failure with no refusal during its turn stays the gateway's.
        gateway.duringCall = null;
        limits.setPlan(Caller.allOrganizations(), acme.organizationId(), OrganizationPlan.DEFAULT);
        assertCode(() -> send(acme, bot, "main"), ErrorCode.GATEWAY_FAILED);
    }

    @Test
    void turnsAreRefusedOnceTheSessionsTheKeysOrTheOrganizationsLimitIsSpent() {
        NewOrganization created = organizations.create("Acme");
        Caller acme = callerOf(created);
        Instance bot = instances(access(true)).register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        String scopedKey = keys.create(new CreateApiKeyCommand(acme, ApiKeyKind.SCOPED, "support", List.of(bot.id().toString()),
                List.of("interact"), Optional.empty(), List.of(), Optional.empty())).secret().value();
        Caller scoped = authentication.authenticate(scopedKey);

        // Each session starting with "user-" may spend 20 tokens a day; a turn here uses 15.
        limits.setSessionLimits(acme, bot.id(), new SessionLimits(List.of(new SessionLimitRule("user-",
                new UsageLimits(OptionalLong.of(20), OptionalLong.empty(), OptionalLong.empty())))));
        send(scoped, bot, "user-1");
        send(scoped, bot, "user-1");
        assertThatThrownBy(() -> send(scoped, bot, "user-1")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Budget exceeded: the session limit for prefix 'user-' tokens_per_day (20 tokens) is spent"));
        send(scoped, bot, "user-2");
        send(scoped, bot, "main");

        // The key may make 2 requests a minute (counted from when the limit is set).
        limits.setKeyLimits(acme, scoped.keyId(), new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(2)));
        send(scoped, bot, "main");
        send(scoped, bot, "main");
        assertThatThrownBy(() -> send(scoped, bot, "main")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Rate limit exceeded: this key's requests_per_minute (2) is used up; retry in "));
        // The organization key is not that key.
        send(acme, bot, "main");

        // An organization's rate refuses; what the key had taken for that request is given back.
        limits.setKeyLimits(acme, scoped.keyId(), new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(100)));
        givePlan(acme, new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(1)));
        send(scoped, bot, "main");
        long keyTaken = counters.requests.get("key:" + scoped.keyId());
        assertThatThrownBy(() -> send(scoped, bot, "main")).isInstanceOfSatisfying(LimitExceededException.class, e ->
                assertThat(e.getMessage()).startsWith("Rate limit exceeded: this organization's requests_per_minute (1)"));
        assertThat(counters.requests.get("key:" + scoped.keyId())).isEqualTo(keyTaken);
        assertThat(gateway.calls).hasSize(8);
        // A key bound to sessions may not lift its own limits; another organization sees no instance.
        Caller globex = callerOf(organizations.create("Globex"));
        assertCode(() -> limits.sessionLimits(globex, bot.id()), ErrorCode.INSTANCE_NOT_FOUND);
        assertCode(() -> limits.setKeyLimits(globex, scoped.keyId(), UsageLimits.NONE), ErrorCode.API_KEY_NOT_FOUND);
        assertCode(() -> limits.setKeyLimits(scoped, scoped.keyId(), UsageLimits.NONE), ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aRegisteredGatewaysTurnsAreChargedToItsOrganizationAndAProvisionedOnesAreNot() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        InstanceService instances = instances(access);
        givePlan(acme, new UsageLimits(OptionalLong.empty(), OptionalLong.of(1_000), OptionalLong.empty()));
        Instance registered = instances.register(RegisterInstanceCommand.of(acme, "bot", "http://127.0.0.1:1", "t"));
        Instance provisioned = instances.register(provisioned(acme, "local"));
        store.instances.replaceAll(instance -> instance.id().equals(provisioned.id()) ? instance.observed(Optional.empty(), NOW) : instance);

        send(acme, registered, "main");
        assertThat(counters.spent("org:" + acme.organizationId())).isEqualTo(15);
        // A provisioned gateway's model calls pass the model endpoint, which charges them: its turns are not charged again.
        send(acme, provisioned, "main");
        assertThat(counters.spent("org:" + acme.organizationId())).isEqualTo(15);
    }

    /** A model call of the {@code local} provider, admitted with an estimate of its tokens. */
    private static ModelCallMeter call(ModelAccessService access, String credential, long estimatedTokens) {
        return access.authorize(credential, FixedCatalog.LOCAL).admission().admit(estimatedTokens);
    }

    /** The operator gives the caller's organization these budgets and rates. */
    private void givePlan(Caller caller, UsageLimits budgets) {
        limits.setPlan(Caller.allOrganizations(), caller.organizationId(), new OrganizationPlan("team", OptionalInt.empty(), budgets,
                Optional.empty()));
    }

    private void send(Caller caller, Instance instance, String session) {
        responses.send(new SendResponseCommand(caller, instance.id(), SessionId.of(session),
                new ResponseRequest(Optional.of("m"), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8))));
    }

    private static RegisterInstanceCommand provisioned(Caller caller, String provider) {
        return new RegisterInstanceCommand(caller, "agent", null, null, Optional.ofNullable(provider), Optional.empty(), Optional.empty());
    }

    private Caller callerOf(NewOrganization organization) {
        return authentication.authenticate(organization.apiKey().value());
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
