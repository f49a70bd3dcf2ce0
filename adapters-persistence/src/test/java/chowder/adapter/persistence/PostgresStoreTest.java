package chowder.adapter.persistence;

/** The stores on the real PostgreSQL on 127.0.0.1:5432, in a schema of their own for each test. */
class PostgresStoreTest extends StoreTests {
    @Override
    TestDatabase freshDatabase() {
        return new PostgresDatabase();
    }
}
