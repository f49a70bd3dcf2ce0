package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /metrics}: every meter in Prometheus' text format. The meters name every organization's instances, so
 * without {@code CHOWDER_METRICS_TOKEN} they are served to this host's own clients only: a loopback peer that no
 * proxy forwarded (a proxy in front would otherwise publish them); with the token, to whoever presents it.
 */
final class MetricsEndpoint {
    static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Optional<byte[]> token;

    MetricsEndpoint(PrometheusMeterRegistry registry, MetricsConfig config) {
        this.registry = requireNonNull(registry, "registry is null");
        this.token = config.bearerToken().map(value -> ("Bearer " + value).getBytes(StandardCharsets.UTF_8));
    }

    void scrape(Context ctx) {
        if (token.isEmpty() && !fromThisHost(ctx)) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "Metrics are served to this host's own clients only: set "
                    + "CHOWDER_METRICS_TOKEN to scrape them from elsewhere or through a proxy.");
        }
        if (token.isPresent()) {
            String authorization = ctx.header("Authorization");
            if (authorization == null) {
                throw new ChowderException(ErrorCode.MISSING_API_KEY, "Missing metrics token: send Authorization: Bearer <CHOWDER_METRICS_TOKEN>.");
            }
            // Constant time: the comparison must not tell how much of a guess was right.
            if (!MessageDigest.isEqual(token.get(), authorization.getBytes(StandardCharsets.UTF_8))) {
                throw new ChowderException(ErrorCode.INVALID_API_KEY, "Invalid metrics token.");
            }
        }
        ctx.contentType(CONTENT_TYPE).result(registry.scrape());
    }

    private static boolean fromThisHost(Context ctx) {
        for (String forwarded : List.of("Forwarded", "X-Forwarded-For", "X-Real-IP")) {
            if (ctx.header(forwarded) != null) {
                return false;
            }
        }
        try {
            return InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
