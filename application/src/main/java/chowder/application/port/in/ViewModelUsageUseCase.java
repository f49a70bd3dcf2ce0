package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import java.time.Instant;
import java.util.List;

/**
 * The model calls of a provisioned instance's gateway through Chowder's model endpoint, with the tokens its provider
 * reported, per provider: what the instance's agent spent, tool loops and background work included.
 */
public interface ViewModelUsageUseCase {
    /** Same rules as the sessions' usage: {@code read} on the instance, not a key bound to sessions; {@code from} before {@code to}. */
    List<ProviderUsage> modelUsage(Caller caller, InstanceId instance, Instant from, Instant to);

    record ProviderUsage(ModelProviderName provider, long requests, ModelTokens tokens) {
        public ProviderUsage {
            requireNonNull(provider, "provider is null");
            requireNonNull(tokens, "tokens is null");
        }
    }
}
