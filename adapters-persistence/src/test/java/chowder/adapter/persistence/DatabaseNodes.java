package chowder.adapter.persistence;

import chowder.application.port.out.contract.StoreNodes;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The Jdbi stores of a node on a freshly migrated test database, and (when a test asks) a second node on the same
 * database that follows the change log as a serving node does.
 */
final class DatabaseNodes implements StoreNodes {
    private final TestDatabase database;
    private final MasterKey masterKey;
    private final Injector injector;
    private Injector other;

    DatabaseNodes(TestDatabase database, MasterKey masterKey) {
        this.database = database;
        this.masterKey = masterKey;
        this.injector = node(database, masterKey, database.jdbcUrl());
        injector.getInstance(DatabaseMigrations.class).migrate();
    }

    Injector injector() {
        return injector;
    }

    @Override
    public <T> T port(Class<T> type) {
        return injector.getInstance(type);
    }

    @Override
    public synchronized <T> T otherNode(Class<T> type) {
        if (other == null) {
            other = followingNode(database, masterKey, CacheConfig.DEFAULTS);
        }
        return other.getInstance(type);
    }

    @Override
    public synchronized void close() {
        try {
            if (other != null) {
                stop(other);
            }
            close(injector);
        } finally {
            database.drop();
        }
    }

    /** A node on {@code url} that reads with {@code key}, not following the change log (as the command line does). */
    static Injector node(TestDatabase database, MasterKey key, String url) {
        return Guice.createInjector(new PersistenceModule(new PersistenceConfig(url, database.user(), "", 4, key)));
    }

    static Injector followingNode(TestDatabase database, MasterKey key, CacheConfig caches) {
        Injector node = Guice.createInjector(new PersistenceModule(new PersistenceConfig(database.jdbcUrl(), database.user(), "", 4, key), caches));
        node.getInstance(ChangeFeed.class).start();
        return node;
    }

    static void stop(Injector followingNode) {
        followingNode.getInstance(ChangeFeed.class).stop();
        close(followingNode);
    }

    static void close(Injector node) {
        node.getInstance(HikariDataSource.class).close();
    }
}
