package chowder.adapter.persistence;

import chowder.application.port.out.contract.ApiKeyStoreContract;
import chowder.application.port.out.contract.OrganizationStoreContract;
import chowder.application.port.out.contract.InstanceStoreContract;
import chowder.application.port.out.contract.SessionStoreContract;
import chowder.application.port.out.contract.SkillSettingsStoreContract;
import chowder.application.port.out.contract.ChannelSettingsStoreContract;
import chowder.application.port.out.contract.ModelKeysStoreContract;
import chowder.application.port.out.contract.LimitSettingsStoreContract;
import chowder.application.port.out.contract.LimitCounterContract;
import chowder.application.port.out.contract.ModelUsageStoreContract;
import chowder.application.port.out.contract.StoreNodes;
import java.security.SecureRandom;
import org.junit.jupiter.api.Nested;

/**
 * Every test of the stores on one kind of database, each on a fresh database from {@link #freshDatabase()}: the contracts
 * of the store ports (which the in-memory fakes keep too) and what only a real database shows.
 */
abstract class StoreTests {
    abstract TestDatabase freshDatabase();

    private StoreNodes freshStores() {
        return new DatabaseNodes(freshDatabase(), MasterKey.generate(new SecureRandom()));
    }

    @Nested
    class ApiKeys extends ApiKeyStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class Organizations extends OrganizationStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class Instances extends InstanceStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class Sessions extends SessionStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class SkillSettings extends SkillSettingsStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class ChannelSettings extends ChannelSettingsStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class ModelKeys extends ModelKeysStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class LimitSettings extends LimitSettingsStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class LimitCounters extends LimitCounterContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class ModelUsage extends ModelUsageStoreContract {
        @Override
        protected StoreNodes openStores() {
            return freshStores();
        }
    }

    @Nested
    class SecretsAtRest extends SecretsAtRestTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }

    @Nested
    class EncryptedSecrets extends EncryptedSecretsTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }

    @Nested
    class MasterKeys extends MasterKeyTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }

    @Nested
    class KeyRotation extends KeyRotationTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }

    @Nested
    class NodeCaches extends NodeCacheTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }

    @Nested
    class Migrations extends MigrationTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }

    @Nested
    class LimitCounterExpiry extends LimitCounterExpiryTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }

    @Nested
    class DeletedInstancePurge extends DeletedInstancePurgeTests {
        @Override
        protected TestDatabase newDatabase() {
            return freshDatabase();
        }
    }
}
