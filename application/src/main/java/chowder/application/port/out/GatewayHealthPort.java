package chowder.application.port.out;

import chowder.domain.Instance;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Asks a gateway whether it is ready, without holding a thread while it waits. */
public interface GatewayHealthPort {
    /** Completes with empty when the gateway is ready, else with a reason fit for {@code error_message}; never fails. */
    CompletionStage<Optional<String>> probe(Instance instance);
}
