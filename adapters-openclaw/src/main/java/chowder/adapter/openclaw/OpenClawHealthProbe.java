package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.GatewayHealthPort;
import chowder.domain.Instance;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Probes {@code GET {gateway_url}/readyz} with the non-blocking Jetty client: thousands of probes
 * in flight hold no thread while they wait. 200 is ready; anything else is a reason.
 */
final class OpenClawHealthProbe implements GatewayHealthPort {
    private static final int MAX_BODY_BYTES = 8 * 1024;

    private final HttpClient http;
    private final Duration timeout;

    OpenClawHealthProbe(HttpClient http, Duration timeout) {
        this.http = requireNonNull(http, "http is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public CompletionStage<Optional<String>> probe(Instance instance) {
        CompletableFuture<Optional<String>> outcome = new CompletableFuture<>();
        URI readyz = URI.create(instance.gatewayUrl() + "/readyz");
        try {
            http.newRequest(readyz)
                    .method(HttpMethod.GET)
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .send(new BufferingResponseListener(MAX_BODY_BYTES) {
                        @Override
                        public void onComplete(org.eclipse.jetty.client.Result result) {
                            outcome.complete(reason(result));
                        }
                    });
        } catch (RuntimeException e) {
            outcome.complete(Optional.of("Health probe failed: " + e.getMessage()));
        }
        return outcome;
    }

    private Optional<String> reason(org.eclipse.jetty.client.Result result) {
        if (result.isFailed()) {
            Throwable failure = result.getFailure();
            String why = switch (failure) {
                case java.net.ConnectException e -> "connection refused";
                case java.util.concurrent.TimeoutException e -> "no answer within " + timeout.toMillis() + " ms";
                case PolicyCheckingResolver.ForbiddenGatewayAddressException e -> e.getMessage();
                case java.net.UnknownHostException e -> "host name does not resolve";
                case java.io.EOFException e -> "the connection was closed";
                default -> failure.getClass().getSimpleName();
            };
            return Optional.of("Gateway unreachable at /readyz: " + why + ".");
        }
        int status = result.getResponse().getStatus();
        return status == 200 ? Optional.empty() : Optional.of("Gateway not ready: /readyz answered " + status + ".");
    }
}
