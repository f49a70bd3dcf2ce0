package chowder.adapter.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SessionStorePort;
import chowder.application.service.KeyLimits;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Instance;
import chowder.domain.KeyScope;
import chowder.domain.Organization;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import com.google.inject.Injector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Nodes cache what the forwarding path reads, and a write returns only once every following node dropped what it changed. */
abstract class NodeCacheTests extends DatabaseTest {
    @Test
    void cachesServeRepeatedLookupsUntilAChangeOnAnyNodeDropsThemBeforeItReturns() {
        // The longest lease: "answers from memory" must not depend on the change feed being scheduled within a second.
        CacheConfig patient = new CacheConfig(CacheConfig.DEFAULTS.pollInterval(), CacheConfig.MAX_LEASE, CacheConfig.DEFAULTS.maxApiKeys(),
                CacheConfig.DEFAULTS.maxInstances(), CacheConfig.DEFAULTS.maxSessions());
        Injector nodeA = followingNode(patient);
        Injector nodeB = followingNode(patient);
        try {
            Organization acme = organization("Acme");
            ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
            ApiKey key = ApiKey.issue(acme.id(), "ci", secret, now);
            injector.getInstance(SaveApiKeyPort.class).insertWithinLimit(key, KeyLimits.DEFAULT_MAX_PER_ORGANIZATION);
            Instance instance = stored(acme, "bot", "token-secret");
            SessionRecord session = SessionRecord.firstUse(instance.id(), SessionId.of("user-42"), now);
            injector.getInstance(SessionStorePort.class).insertIfAbsent(session);

            LoadApiKeyPort keysOnB = nodeB.getInstance(LoadApiKeyPort.class);
            LoadInstancePort instancesOnB = nodeB.getInstance(LoadInstancePort.class);
            SessionStorePort sessionsOnB = nodeB.getInstance(SessionStorePort.class);
            assertThat(keysOnB.findByHash(secret.hash())).contains(key);
            assertThat(instancesOnB.findById(instance.id())).contains(instance);
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id())).contains(session.session());

            // Rows changed behind the caches' back (no published change) are not seen: node B answers from memory.
            Jdbi jdbi = jdbi();
            jdbi.useHandle(handle -> {
                handle.execute("UPDATE api_keys SET name = 'sneaky' WHERE id = ?", key.id().value());
                handle.execute("UPDATE instances SET name = 'sneaky' WHERE id = ?", instance.id().value());
                handle.execute("UPDATE sessions SET generation = 7 WHERE session_id = ?", session.id().value());
            });
            assertThat(keysOnB.findByHash(secret.hash()).orElseThrow().name()).isEqualTo("ci");
            assertThat(instancesOnB.findById(instance.id()).orElseThrow().name()).isEqualTo("bot");
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id()).orElseThrow().generation()).isZero();
            jdbi.useHandle(handle -> handle.execute("UPDATE sessions SET generation = 0 WHERE session_id = ?", session.id().value()));

            // Changes made through node A (or a node that does not serve, like the command line) are seen by B
            // as soon as the write returns: no waiting in between.
            assertThat(nodeA.getInstance(SaveApiKeyPort.class).revoke(key.id())).isTrue();
            assertThat(keysOnB.findByHash(secret.hash()).orElseThrow().active()).isFalse();
            Instance current = nodeA.getInstance(LoadInstancePort.class).findById(instance.id()).orElseThrow();
            Instance stopped = current.stop(now.plusSeconds(1));
            assertThat(nodeA.getInstance(SaveInstancePort.class).updateIfUnchanged(stopped, current)).isTrue();
            assertThat(instancesOnB.findById(instance.id())).contains(stopped);
            assertThat(injector.getInstance(SessionStorePort.class).replaceIfGeneration(session.reset(), 0)).isTrue();
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id()).orElseThrow().generation()).isEqualTo(1);
            assertThat(nodeA.getInstance(SessionStorePort.class).replaceIfGeneration(session.reset().delete(), 1)).isTrue();
            assertThat(sessionsOnB.findCurrent(instance.id(), session.id())).isEmpty();
        } finally {
            DatabaseNodes.stop(nodeA);
            DatabaseNodes.stop(nodeB);
        }
    }

    @Test
    void aKeyDeletedToMakeRoomStaysRefusedOnANodeThatCachedIt() {
        // No change is published for a key deleted to make room: a copy cached elsewhere must still be one no request can use.
        CacheConfig patient = new CacheConfig(CacheConfig.DEFAULTS.pollInterval(), CacheConfig.MAX_LEASE, CacheConfig.DEFAULTS.maxApiKeys(),
                CacheConfig.DEFAULTS.maxInstances(), CacheConfig.DEFAULTS.maxSessions());
        Injector other = followingNode(patient);
        try {
            Organization acme = organization("Acme");
            SaveApiKeyPort save = injector.getInstance(SaveApiKeyPort.class);
            ApiKeySecret revokedSecret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
            ApiKey revoked = ApiKey.issue(acme.id(), "revoked", revokedSecret, now.plusSeconds(1));
            ApiKeySecret expiredSecret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM);
            ApiKey expired = ApiKey.issue(acme.id(), "expired", expiredSecret, KeyScope.UNRESTRICTED, Optional.of(now.plusSeconds(5)),
                    now.plusSeconds(2));
            assertThat(save.insertWithinLimit(revoked, 3)).isTrue();
            assertThat(save.insertWithinLimit(expired, 3)).isTrue();
            assertThat(save.revoke(revoked.id())).isTrue();
            LoadApiKeyPort keysThere = other.getInstance(LoadApiKeyPort.class);
            assertThat(keysThere.findByHash(revokedSecret.hash())).isPresent();
            assertThat(keysThere.findByHash(expiredSecret.hash())).isPresent();

            for (int i = 0; i < 2; i++) {
                ApiKey fresh = ApiKey.issue(acme.id(), "fresh-" + i, ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), now.plusSeconds(10));
                assertThat(save.insertWithinLimit(fresh, 3)).isTrue();
            }
            assertThat(injector.getInstance(LoadApiKeyPort.class).findById(revoked.id())).isEmpty();
            assertThat(injector.getInstance(LoadApiKeyPort.class).findById(expired.id())).isEmpty();
            for (ApiKeySecret gone : List.of(revokedSecret, expiredSecret)) {
                assertThat(keysThere.findByHash(gone.hash()).filter(key -> key.usableAt(now.plusSeconds(10)))).isEmpty();
            }
        } finally {
            DatabaseNodes.stop(other);
        }
    }

    @Test
    void aNodeThatStopsFollowingReadsTheDatabaseAndWritersStopWaitingForIt() {
        Injector node = followingNode(CacheConfig.DEFAULTS);
        Instance instance = stored(organization("Acme"), "bot", "t");
        LoadInstancePort instancesOnNode = node.getInstance(LoadInstancePort.class);
        assertThat(instancesOnNode.findById(instance.id())).contains(instance);
        node.getInstance(ChangeFeed.class).stop();
        try {
            jdbi().useHandle(handle -> handle.execute("UPDATE instances SET name = 'renamed' WHERE id = ?", instance.id().value()));
            assertThat(instancesOnNode.findById(instance.id()).orElseThrow().name()).isEqualTo("renamed");

            // A node that registered but never confirms (stalled, or killed without deregistering) holds a writer
            // up for at most one lease: by then it no longer trusts its caches.
            jdbi().useExtension(ChangeFeedDao.class, dao -> dao.register("stalled-node", 0));
            Instance current = injector.getInstance(LoadInstancePort.class).findById(instance.id()).orElseThrow();
            long started = System.nanoTime();
            assertThat(injector.getInstance(SaveInstancePort.class).updateIfUnchanged(current.stop(now.plusSeconds(1)), current)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(CacheConfig.DEFAULTS.lease())
                    .isLessThan(Duration.ofSeconds(10));
        } finally {
            DatabaseNodes.close(node);
        }
    }

    @Test
    void writersWaitForOtherNodesWithoutHoldingAConnection() throws Exception {
        // More concurrent writers than the pool has connections: a writer that kept its transaction's connection while
        // waiting for the other nodes would need a second one to check on them, and all would stall.
        Injector node = followingNode(CacheConfig.DEFAULTS);
        try {
            Organization acme = organization("Acme");
            SaveApiKeyPort keys = injector.getInstance(SaveApiKeyPort.class);
            List<ApiKey> issued = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ApiKey key = ApiKey.issue(acme.id(), "k" + i, ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, RANDOM), now);
                keys.insertWithinLimit(key, KeyLimits.DEFAULT_MAX_PER_ORGANIZATION);
                issued.add(key);
            }
            long started = System.nanoTime();
            try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Boolean>> revoked = issued.stream()
                        .map(key -> writers.submit(() -> keys.revoke(key.id())))
                        .toList();
                for (Future<Boolean> each : revoked) {
                    assertThat(each.get()).isTrue();
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            DatabaseNodes.stop(node);
        }
    }
}
