package chowder.adapter.persistence;

/** The stores on H2, in files of their own for each test. */
class H2StoreTest extends StoreTests {
    @Override
    TestDatabase freshDatabase() {
        return new H2Database();
    }
}
