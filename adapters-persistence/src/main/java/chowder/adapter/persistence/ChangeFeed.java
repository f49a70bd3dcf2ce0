package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.adapter.persistence.ChangeFeedDao.ChangeRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every node's caches coherent with writes made on any node (or by the command line).
 *
 * <p>A write that could leave a cache stale publishes a change in its own transaction
 * ({@link #inTransaction}). Each serving node follows the change log ({@link #start()}): it applies new changes to its
 * caches, then records how far it got. After its commit the writer waits until every live node has
 * applied its change, so its answer means "seen everywhere" — a revoked key is refused and a reset
 * session starts empty on the very next request, whichever node gets it. A node trusts its caches only
 * for a short lease after its last complete read of the log; one that cannot reach the log (or stalls)
 * falls back to the database, so a writer never needs to wait longer than the lease.
 *
 * <p>PostgreSQL's {@code NOTIFY} wakes followers at once; without it (H2) they read the log every poll interval.
 */
public final class ChangeFeed {
    /** How often a node confirms that it is alive even when nothing changed. */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** How recent a node's last confirmation must be for writers to wait for it (ChangeFeedDao.liveNodesBehind). */
    static final Duration LIVENESS = Duration.ofSeconds(5);
    static final String CHANNEL = "chowder_store_changes";
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final int BATCH = 500;
    private static final Duration PRUNE_INTERVAL = Duration.ofMinutes(5);
    private static final Duration ACK_POLL = Duration.ofMillis(5);

    private final Jdbi jdbi;
    private final PersistenceConfig persistence;
    private final CacheConfig config;
    private final Optional<MeterRegistry> meters;
    private final String nodeId = UUID.randomUUID().toString();
    // Caches may be created after following started: both are read by the follower while others add to them.
    private final Map<StoreChange.Kind, List<Consumer<String>>> handlers = new ConcurrentHashMap<>();
    private final List<CoherentCache<?, ?>> caches = new CopyOnWriteArrayList<>();
    private final Semaphore wakeUp = new Semaphore(0);

    // Written by the follower thread only; read by request threads.
    private volatile long leaseStartNanos;
    private volatile boolean following;
    private volatile boolean leaseHeld;
    private long applied;
    private long lastAckNanos;
    private long lastPruneNanos;
    private Thread follower;
    private Runnable stopWaker = () -> {};

    ChangeFeed(Jdbi jdbi, PersistenceConfig persistence, CacheConfig config, Optional<MeterRegistry> meters) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.persistence = requireNonNull(persistence, "persistence is null");
        this.config = requireNonNull(config, "config is null");
        this.meters = requireNonNull(meters, "meters is null");
        meters.ifPresent(registry -> Gauge.builder("chowder_cache_lease_held", this, feed -> feed.leaseHeld() ? 1 : 0)
                .description("1 while this node's caches answer (it follows the change log), 0 while reads go to the database")
                .register(registry));
    }

    /**
     * A cache that the changes of {@code kind} invalidate; {@code keyOf} maps a change's subject to its key (null: drop
     * all). Its hits, misses and size are metrics named {@code cache_*{cache="<name>"}}.
     */
    <K, V> CoherentCache<K, V> cache(String name, StoreChange.Kind kind, long maxSize, Function<String, K> keyOf) {
        CoherentCache<K, V> cache = new CoherentCache<>(this, maxSize);
        caches.add(cache);
        meters.ifPresent(registry -> CaffeineCacheMetrics.monitor(registry, cache.entries(), name));
        handlers.computeIfAbsent(kind, unused -> new CopyOnWriteArrayList<>()).add(subject -> {
            K key = keyOf.apply(subject);
            if (key == null) {
                cache.invalidateAll();
            } else {
                cache.invalidate(key);
            }
        });
        return cache;
    }

    /** The work of a transaction that may publish changes. */
    @FunctionalInterface
    interface TransactionWork<T> {
        T run(Handle handle, Consumer<StoreChange> publish);
    }

    /**
     * Runs {@code work} in one transaction, recording each change it publishes in that transaction. After the commit
     * this node's caches drop what the changes affect at once; then, with no connection held, the calling thread waits
     * (at most the lease) until every live node has applied them too.
     */
    <T> T inTransaction(TransactionWork<T> work) {
        List<StoreChange> published = new ArrayList<>();
        long[] lastId = {0};
        T result = jdbi.inTransaction(handle -> {
            published.clear();
            return work.run(handle, change -> {
                lastId[0] = record(handle, change);
                published.add(change);
            });
        });
        if (!published.isEmpty()) {
            published.forEach(change -> apply(change.kind().name(), change.subject()));
            wakeUp.release();
            awaitApplied(lastId[0]);
        }
        return result;
    }

    private long record(Handle handle, StoreChange change) {
        ChangeFeedDao dao = handle.attach(ChangeFeedDao.class);
        dao.advanceCounter();
        long id = dao.lastChangeId();
        dao.insertChange(id, change.kind().name(), change.subject());
        if (persistence.database() == Database.POSTGRESQL) {
            handle.execute("NOTIFY " + CHANNEL);
        }
        return id;
    }

    /** True while this node's caches may answer: it follows the log and read it completely within the lease. */
    boolean leaseHeld() {
        return leaseHeld && System.nanoTime() - leaseStartNanos < config.lease().toNanos();
    }

    /** Registers this node and follows the log until {@link #stop()}; caches start empty. */
    public synchronized void start() {
        if (following) {
            return;
        }
        long started = System.nanoTime();
        applied = jdbi.withExtension(ChangeFeedDao.class, ChangeFeedDao::lastChangeId);
        jdbi.useExtension(ChangeFeedDao.class, dao -> dao.register(nodeId, applied));
        caches.forEach(CoherentCache::invalidateAll);
        lastAckNanos = started;
        leaseStartNanos = started;
        following = true;
        leaseHeld = true;
        follower = Thread.ofPlatform().name("chowder-change-feed").daemon().start(this::follow);
        if (persistence.database() == Database.POSTGRESQL) {
            stopWaker = PostgresChangeListener.start(persistence, CHANNEL, wakeUp::release);
        }
        log.info("Following store changes as node {} from change {}", nodeId, applied);
    }

    /** Stops following and deregisters, so that writers no longer wait for this node. */
    public synchronized void stop() {
        if (!following) {
            return;
        }
        following = false;
        leaseHeld = false;
        stopWaker.run();
        wakeUp.release();
        try {
            follower.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leaseHeld = false;
        try {
            jdbi.useExtension(ChangeFeedDao.class, dao -> dao.deregister(nodeId));
        } catch (RuntimeException e) {
            log.warn("Could not deregister node {}; writers skip it once its heartbeat is five seconds old", nodeId, e);
        }
    }

    private void follow() {
        while (following) {
            try {
                wakeUp.tryAcquire(config.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
                wakeUp.drainPermits();
                if (following) {
                    catchUp();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The lease runs out by itself; until the database is back, requests read it directly.
                log.warn("Reading store changes failed; caches are bypassed once the lease ends: {}", e.toString());
            }
        }
    }

    private void catchUp() {
        // One handle and DAO for the whole round: it runs every poll interval on every node.
        jdbi.useExtension(ChangeFeedDao.class, this::catchUp);
    }

    private void catchUp(ChangeFeedDao dao) {
        long started = System.nanoTime();
        boolean lostLease = !leaseHeld();
        List<ChangeRow> rows;
        long from = applied;
        do {
            rows = dao.changesAfter(applied, BATCH);
            for (ChangeRow row : rows) {
                apply(row.kind(), row.subject());
                applied = row.id();
            }
        } while (rows.size() == BATCH);
        if (lostLease) {
            // Changes may have been pruned meanwhile, or applied to loads that began before: start over.
            caches.forEach(CoherentCache::invalidateAll);
        }
        if (applied != from || started - lastAckNanos >= HEARTBEAT.toNanos()) {
            if (dao.acknowledge(nodeId, applied) == 0) {
                dao.register(nodeId, applied);
            }
            lastAckNanos = started;
        }
        leaseStartNanos = started;
        // A round that stop() overtook must not hand the lease back: the node no longer follows the changes.
        leaseHeld = following;
        if (started - lastPruneNanos >= PRUNE_INTERVAL.toNanos()) {
            lastPruneNanos = started;
            dao.pruneChanges();
            dao.pruneNodes();
        }
    }

    private void apply(String kind, String subject) {
        try {
            handlers.getOrDefault(StoreChange.Kind.valueOf(kind), List.of()).forEach(handler -> handler.accept(subject));
        } catch (RuntimeException unreadable) {
            // A change this node cannot read (a kind from a newer version, a subject it no longer parses) must not stop
            // it following the log: dropping everything is always correct.
            log.warn("Store change of kind {} not understood ({}); dropping every cached entry", kind, unreadable.toString());
            caches.forEach(CoherentCache::invalidateAll);
        }
    }

    private void awaitApplied(long change) {
        try {
            awaitLiveNodes(change);
        } catch (RuntimeException e) {
            // The change is committed: the write succeeded. Nodes that cannot confirm lose their lease instead.
            log.warn("Could not confirm that every node applied store change {}: {}", change, e.toString());
        }
    }

    private void awaitLiveNodes(long change) {
        long deadline = System.nanoTime() + config.lease().plus(config.pollInterval()).toNanos();
        while (jdbi.withExtension(ChangeFeedDao.class, dao -> dao.liveNodesBehind(change)) > 0) {
            if (System.nanoTime() > deadline) {
                // Those nodes have not read the log for a whole lease, so they no longer answer from their caches.
                log.warn("Some nodes did not confirm store change {} within {} ms; their caches have lapsed", change,
                        config.lease().toMillis());
                return;
            }
            try {
                Thread.sleep(ACK_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
