package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import chowder.application.port.out.ModelUsagePort;
import chowder.application.port.out.ModelUsagePort.Calls;
import chowder.application.port.out.ModelUsagePort.HourOfUsage;
import chowder.application.port.out.ModelUsagePort.UsageHour;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.Organization;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract of the model usage store: calls add up per instance, provider and hour, read back by hour. */
public abstract class ModelUsageStoreContract extends StoreContract {
    @Test
    void modelUsageAddsUpPerInstanceProviderAndHour() {
        Organization acme = organization("Acme");
        Instance instance = Instance.register(acme.id(), "bot", GatewayUrl.of("http://127.0.0.1:1"), new GatewayToken("t"),
                InstanceSettings.NONE, LIMITS_NOW);
        ModelUsagePort usage = port(ModelUsagePort.class);
        Instant hour = LIMITS_NOW.truncatedTo(ChronoUnit.HOURS);
        UsageHour openai = new UsageHour(acme.id(), instance.id(), ModelProviderName.OPENAI, hour);
        usage.add(Map.of(openai, new Calls(2, new ModelTokens(100, 20, 50))));
        usage.add(Map.of(openai, new Calls(1, new ModelTokens(10, 2, 0)),
                new UsageHour(acme.id(), instance.id(), ModelProviderName.ANTHROPIC, hour.minus(Duration.ofHours(1))),
                new Calls(4, new ModelTokens(40, 4, 4))));

        assertThat(usage.hoursOf(instance.id(), hour.minus(Duration.ofDays(1)), hour.plus(Duration.ofHours(1))))
                .extracting(HourOfUsage::provider, HourOfUsage::calls)
                .containsExactly(
                        tuple(ModelProviderName.ANTHROPIC, new Calls(4, new ModelTokens(40, 4, 4))),
                        tuple(ModelProviderName.OPENAI, new Calls(3, new ModelTokens(110, 22, 50))));
        assertThat(usage.hoursOf(instance.id(), hour, hour.plus(Duration.ofHours(1)))).hasSize(1);
    }
}
