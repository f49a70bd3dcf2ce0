package chowder.adapter.persistence;

import chowder.application.port.out.contract.StoreContract;
import chowder.application.port.out.contract.StoreNodes;
import com.google.inject.Injector;
import org.jdbi.v3.core.Jdbi;

/**
 * What only the real database shows (encryption at rest, the master key, caches across nodes, migrations), on a fresh
 * database given by {@link #newDatabase()}: H2 or PostgreSQL.
 */
abstract class DatabaseTest extends StoreContract {
    protected final MasterKey masterKey = MasterKey.generate(RANDOM);
    protected Injector injector;
    private TestDatabase database;

    protected abstract TestDatabase newDatabase();

    @Override
    protected final StoreNodes openStores() {
        database = newDatabase();
        DatabaseNodes nodes = new DatabaseNodes(database, masterKey);
        injector = nodes.injector();
        return nodes;
    }

    protected final TestDatabase database() {
        return database;
    }

    protected final Jdbi jdbi() {
        return injector.getInstance(Jdbi.class);
    }

    /** Another node on the same database that reads with {@code key}; closed by the test with {@link DatabaseNodes#close(Injector)}. */
    protected final Injector injectorFor(MasterKey key) {
        return DatabaseNodes.node(database, key, database.jdbcUrl());
    }

    /** Another node on the same database, following the change log; stopped by the test with {@link DatabaseNodes#stop(Injector)}. */
    protected final Injector followingNode(CacheConfig caches) {
        return DatabaseNodes.followingNode(database, masterKey, caches);
    }
}
