package chowder.application.port.out.contract;

import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.Organization;
import chowder.domain.UsageLimits;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every contract of the store ports shares: fresh, empty stores for each test (from {@link #openStores()}, which
 * each implementation's test gives) and the organizations and instances the cases start from.
 */
public abstract class StoreContract {
    protected static final SecureRandom RANDOM = new SecureRandom();
    /** Two hours before a UTC midnight: counters' windows end at a known time. */
    protected static final Instant LIMITS_NOW = Instant.parse("2026-12-05T22:00:00Z");
    protected final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private StoreNodes nodes;

    /** Fresh, empty stores for one test. */
    protected abstract StoreNodes openStores();

    @BeforeEach
    void openTheStores() {
        nodes = openStores();
    }

    @AfterEach
    void closeTheStores() {
        nodes.close();
    }

    protected final <T> T port(Class<T> type) {
        return nodes.port(type);
    }

    protected final <T> T otherNode(Class<T> type) {
        return nodes.otherNode(type);
    }

    /** An organization with its first key, stored. */
    protected Organization organization(String name) {
        Organization organization = Organization.create(name, now);
        port(SaveOrganizationPort.class).insertWithKey(organization,
                ApiKey.issue(organization.id(), "default", ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), now));
        return organization;
    }

    protected static Instance instance(Organization organization, String name, Instant createdAt, String token) {
        return Instance.register(organization.id(), name, GatewayUrl.of("http://127.0.0.1:18789"), new GatewayToken(token),
                new InstanceSettings(Optional.of("anthropic"), Optional.of("{\"agents\":{\"x\":1}}"), Optional.of("eu-west")), createdAt);
    }

    /** An instance of {@code organization}, stored. */
    protected Instance stored(Organization organization, String name, String token) {
        Instance instance = instance(organization, name, now, token);
        port(SaveInstancePort.class).insertWithinLimit(instance, 0);
        return instance;
    }

    /** Runs {@code count} tasks at once, each on a virtual thread of its own; how many of them answered true. */
    protected static long trueAtOnce(int count, IntFunction<Boolean> task) throws Exception {
        List<Future<Boolean>> results;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            results = executor.invokeAll(IntStream.range(0, count).mapToObj(i -> (Callable<Boolean>) () -> task.apply(i)).toList());
        }
        long answeredTrue = 0;
        for (Future<Boolean> result : results) {
            answeredTrue += result.get() ? 1 : 0;
        }
        return answeredTrue;
    }

    protected static UsageLimits limits(Integer perDay, Integer perMonth, Integer perMinute) {
        return new UsageLimits(perDay == null ? OptionalLong.empty() : OptionalLong.of(perDay),
                perMonth == null ? OptionalLong.empty() : OptionalLong.of(perMonth),
                perMinute == null ? OptionalLong.empty() : OptionalLong.of(perMinute));
    }
}
