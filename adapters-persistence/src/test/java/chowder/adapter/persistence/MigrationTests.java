package chowder.adapter.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.StoreHealthPort;
import com.google.inject.Injector;
import org.junit.jupiter.api.Test;

/** The store is ready only on a migrated database; migrating again changes nothing. */
abstract class MigrationTests extends DatabaseTest {
    @Test
    void theStoreIsReadyOnlyWhenMigrated() {
        injector.getInstance(StoreHealthPort.class).requireReady();
        Injector unmigrated = DatabaseNodes.node(database(), masterKey, database().emptyDatabaseUrl());
        try {
            assertThatThrownBy(() -> unmigrated.getInstance(StoreHealthPort.class).requireReady()).hasMessage("database migrations are pending");
        } finally {
            DatabaseNodes.close(unmigrated);
        }
    }

    @Test
    void migrationsAreIdempotent() {
        injector.getInstance(DatabaseMigrations.class).migrate();
        assertThat(injector.getInstance(LoadInstancePort.class).listByOrganization(organization("Acme").id())).isEmpty();
    }
}
