package chowder.application.service;

import chowder.application.port.out.contract.ApiKeyStoreContract;
import chowder.application.port.out.contract.ChannelSettingsStoreContract;
import chowder.application.port.out.contract.InstanceStoreContract;
import chowder.application.port.out.contract.LimitCounterContract;
import chowder.application.port.out.contract.LimitSettingsStoreContract;
import chowder.application.port.out.contract.ModelKeysStoreContract;
import chowder.application.port.out.contract.ModelUsageStoreContract;
import chowder.application.port.out.contract.OrganizationStoreContract;
import chowder.application.port.out.contract.SessionStoreContract;
import chowder.application.port.out.contract.SkillSettingsStoreContract;
import chowder.application.port.out.contract.StoreNodes;
import org.junit.jupiter.api.Nested;

/** The fakes the service tests run on keep the same contracts as the real stores (run on H2 and PostgreSQL). */
class InMemoryStoreContractTest {
    @Nested
    class ApiKeys extends ApiKeyStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class Organizations extends OrganizationStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class Instances extends InstanceStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class Sessions extends SessionStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class SkillSettings extends SkillSettingsStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class ChannelSettings extends ChannelSettingsStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class ModelKeys extends ModelKeysStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class LimitSettings extends LimitSettingsStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class LimitCounters extends LimitCounterContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }

    @Nested
    class ModelUsage extends ModelUsageStoreContract {
        @Override
        protected StoreNodes openStores() {
            return new InMemoryNodes();
        }
    }
}
