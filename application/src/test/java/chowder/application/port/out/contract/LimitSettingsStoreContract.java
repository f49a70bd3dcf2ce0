package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.service.KeyLimits;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.Organization;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The contract of plans and limits: defaults until set, round trips, versions that grow, a change seen by every node,
 * and first writes at once that do not fail.
 */
public abstract class LimitSettingsStoreContract extends StoreContract {
    @Test
    void plansAndLimitsRoundTripAndAChangeOnOneNodeHoldsOnTheOtherOnceItReturns() {
        Organization acme = organization("Acme");
        ApiKey key = ApiKey.issue(acme.id(), "k", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), LIMITS_NOW);
        port(SaveApiKeyPort.class).insertWithinLimit(key, KeyLimits.DEFAULT_MAX_PER_ORGANIZATION);
        Instance instance = Instance.register(acme.id(), "bot", GatewayUrl.of("http://127.0.0.1:1"), new GatewayToken("t"),
                InstanceSettings.NONE, LIMITS_NOW);
        port(SaveInstancePort.class).insertWithinLimit(instance, 0);
        LimitSettingsPort here = port(LimitSettingsPort.class);
        LimitSettingsPort there = otherNode(LimitSettingsPort.class);

        // Read (and cached) on the other node before anything is set: the defaults.
        assertThat(there.planOf(acme.id()).value()).isEqualTo(OrganizationPlan.DEFAULT);
        assertThat(there.limitsOfKey(key.id()).value()).isEqualTo(UsageLimits.NONE);
        assertThat(there.sessionLimitsOf(instance.id()).value()).isEqualTo(SessionLimits.NONE);

        OrganizationPlan plan = new OrganizationPlan("team", OptionalInt.of(3), limits(1000, 30_000, 60), Optional.of(false));
        here.savePlan(acme.id(), plan);
        here.saveKeyLimits(acme.id(), key.id(), limits(500, null, 10));
        SessionLimits rules = new SessionLimits(List.of(new SessionLimitRule("", limits(null, null, 5)),
                new SessionLimitRule("user-", limits(100, null, null))));
        here.saveSessionLimits(acme.id(), instance.id(), rules);

        assertThat(there.planOf(acme.id()).value()).isEqualTo(plan);
        assertThat(there.limitsOfKey(key.id()).value()).isEqualTo(limits(500, null, 10));
        assertThat(there.sessionLimitsOf(instance.id()).value().rules()).containsExactlyInAnyOrderElementsOf(rules.rules());
        long version = there.limitsOfKey(key.id()).version();
        assertThat(version).isPositive();

        here.saveKeyLimits(acme.id(), key.id(), UsageLimits.NONE);
        here.saveSessionLimits(acme.id(), instance.id(), SessionLimits.NONE);
        assertThat(there.limitsOfKey(key.id()).value()).isEqualTo(UsageLimits.NONE);
        assertThat(there.limitsOfKey(key.id()).version()).isGreaterThanOrEqualTo(version);
        assertThat(there.sessionLimitsOf(instance.id()).value()).isEqualTo(SessionLimits.NONE);
    }

    @Test
    void firstWritesAtOnceAllSucceedAndOneOfThemIsWhatStays() throws Exception {
        Organization acme = organization("Acme");
        ApiKey key = ApiKey.issue(acme.id(), "k", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), now);
        port(SaveApiKeyPort.class).insertWithinLimit(key, KeyLimits.DEFAULT_MAX_PER_ORGANIZATION);
        Instance instance = stored(acme, "i", "t");
        LimitSettingsPort settings = port(LimitSettingsPort.class);
        // Eight of each kind of write, all at once; a write that fails fails the test with its exception.
        long written = trueAtOnce(24, i -> {
            int n = i / 3 + 1;
            switch (i % 3) {
                case 0 -> settings.savePlan(acme.id(), new OrganizationPlan("tier-" + n, OptionalInt.of(n), limits(n, null, null), Optional.empty()));
                case 1 -> settings.saveKeyLimits(acme.id(), key.id(), limits(n, null, null));
                default -> settings.saveSessionLimits(acme.id(), instance.id(),
                        new SessionLimits(List.of(new SessionLimitRule("", limits(n, null, null)))));
            }
            return true;
        });
        assertThat(written).isEqualTo(24);
        OrganizationPlan plan = settings.planOf(acme.id()).value();
        assertThat(plan.limits()).isEqualTo(limits(plan.instanceLimit().orElseThrow(), null, null));
        assertThat(settings.limitsOfKey(key.id()).value().tokensPerDay().orElseThrow()).isBetween(1L, 8L);
        assertThat(settings.sessionLimitsOf(instance.id()).value().rules()).hasSize(1);
    }
}
