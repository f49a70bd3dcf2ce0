package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.ModelKeysPort;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelProviderName;
import chowder.domain.Organization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The contract of the organizations' model keys: set and removed per provider, kept apart per organization. */
public abstract class ModelKeysStoreContract extends StoreContract {
    @Test
    void modelKeysAreSetAndRemovedPerOrganizationAndProvider() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        ModelKeysPort keys = port(ModelKeysPort.class);
        keys.change(acme.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-acme-openai-secret")),
                ModelProviderName.ANTHROPIC, Optional.of(new ModelApiKey("sk-acme-anthropic-secret"))));
        keys.change(globex.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey("sk-globex-openai-secret"))));
        keys.change(acme.id(), Map.of(ModelProviderName.ANTHROPIC, Optional.empty()));

        assertThat(keys.providersOf(acme.id())).containsExactly(ModelProviderName.OPENAI);
        assertThat(keys.keyOf(acme.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value).hasValue("sk-acme-openai-secret");
        assertThat(keys.keyOf(globex.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value).hasValue("sk-globex-openai-secret");
        assertThat(keys.keyOf(acme.id(), ModelProviderName.ANTHROPIC)).isEmpty();
    }

    @Test
    void oneModelKeySetByTwoRequestsAtOnceIsStoredWithoutFailing() throws Exception {
        Organization acme = organization("Acme");
        ModelKeysPort keys = port(ModelKeysPort.class);
        int writers = 4;
        for (int round = 0; round < 10; round++) {
            keys.change(acme.id(), Map.of(ModelProviderName.OPENAI, Optional.empty()));
            CyclicBarrier start = new CyclicBarrier(writers);
            List<Future<?>> written = new ArrayList<>();
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int writer = 0; writer < writers; writer++) {
                    String value = "sk-writer-" + writer;
                    written.add(executor.submit(() -> {
                        start.await();
                        keys.change(acme.id(), Map.of(ModelProviderName.OPENAI, Optional.of(new ModelApiKey(value))));
                        return null;
                    }));
                }
                for (var result : written) {
                    result.get();
                }
            }
            assertThat(keys.keyOf(acme.id(), ModelProviderName.OPENAI)).map(ModelApiKey::value).hasValueSatisfying(value ->
                    assertThat(value).startsWith("sk-writer-"));
        }
    }
}
