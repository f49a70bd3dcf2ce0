package chowder.adapter.openclaw;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.GatewayHealthPort;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes {@code GET {gateway_url}/readyz} with the non-blocking Jetty client: thousands of probes
 * in flight hold no thread while they wait. 200 is ready; anything else is a reason, which the tenant
 * sees as the instance's {@code error_message}: every way of not getting an HTTP answer (and 401/403)
 * is one reason, so probes cannot map ports either; the precise cause is logged when it changes.
 */
final class OpenClawHealthProbe implements GatewayHealthPort {
    static final String UNREACHABLE = "Gateway unreachable at /readyz: the gateway could not be reached or did not accept Chowder's credentials.";
    private static final int MAX_BODY_BYTES = 8 * 1024;
    private static final Logger log = LoggerFactory.getLogger(OpenClawHealthProbe.class);

    private final HttpClient http;
    private final Duration timeout;
    // Probes repeat every round: log a cause once, when it changes, rather than every round.
    private final Map<InstanceId, String> loggedCauses = new ConcurrentHashMap<>();

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
                            outcome.complete(reason(instance.id(), result));
                        }
                    });
        } catch (RuntimeException e) {
            logOnChange(instance.id(), "the probe could not be sent (" + GatewayFailures.describe(e) + ")");
            outcome.complete(Optional.of(UNREACHABLE));
        }
        return outcome;
    }

    private Optional<String> reason(InstanceId instance, org.eclipse.jetty.client.Result result) {
        if (result.isFailed()) {
            Throwable failure = result.getFailure();
            if (failure instanceof PolicyCheckingResolver.ForbiddenGatewayAddressException forbidden) {
                // Chowder's own rule: it says nothing about what listens at the address.
                return Optional.of("Gateway unreachable at /readyz: " + forbidden.getMessage() + ".");
            }
            String why = switch (failure) {
                case java.net.ConnectException e -> "connection refused";
                case java.util.concurrent.TimeoutException e -> "no answer within " + timeout.toMillis() + " ms";
                case java.net.UnknownHostException e -> "host name does not resolve";
                case java.io.EOFException e -> "the connection was closed";
                default -> GatewayFailures.describe(failure);
            };
            logOnChange(instance, why);
            return Optional.of(UNREACHABLE);
        }
        int status = result.getResponse().getStatus();
        if (status == 200) {
            loggedCauses.remove(instance);
            return Optional.empty();
        }
        if (status == 401 || status == 403) {
            // OpenClaw's /readyz needs no credentials: whatever answers this is not an OpenClaw gateway.
            logOnChange(instance, "/readyz answered " + status);
            return Optional.of(UNREACHABLE);
        }
        loggedCauses.remove(instance);
        return Optional.of("Gateway not ready: /readyz answered " + status + ".");
    }

    private void logOnChange(InstanceId instance, String cause) {
        if (!cause.equals(loggedCauses.put(instance, cause))) {
            log.warn("The gateway of instance {} is unreachable at /readyz: {}", instance, cause);
        }
    }
}
