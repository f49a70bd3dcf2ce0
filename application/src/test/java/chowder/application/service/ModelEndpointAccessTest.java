package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallMeter;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.LimitExceededException;
import chowder.domain.ModelApi;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.UsageLimits;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The model endpoint: a gateway's credential, the keys it reaches, and how its calls are metered, reserved and rate limited. */
class ModelEndpointAccessTest extends ModelAccessFixture {
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
        assertCode(() -> report.modelUsage(acme, bot.id(), NOW, NOW), ErrorCode.INVALID_REQUEST);
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
    void aCredentialWhoseOrganizationIsGoneIsRefusedAsAnApiKeyOfItIs() {
        var created = organizations.create("Acme");
        Caller acme = callerOf(created);
        ModelAccessService access = access(true);
        String credential = provisioner.credentialOf(instances(access).register(provisioned(acme, "local")).id());
        call(access, credential, 0).finished(ModelTokens.NONE);

        // Its instance outlived it (e.g. a row removed by hand): its gateway spends nothing more, as its keys open nothing.
        store.organizations.removeIf(organization -> organization.id().equals(acme.organizationId()));
        assertCode(() -> authentication.authenticate(created.apiKey().value()), ErrorCode.INVALID_API_KEY);
        assertThatThrownBy(() -> call(access, credential, 0)).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_API_KEY);
            assertThat(e.getMessage()).startsWith("Unknown model credential");
        });
    }
}
