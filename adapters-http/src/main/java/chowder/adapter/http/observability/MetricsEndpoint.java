package chowder.adapter.http.observability;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.MetricsConfig;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code GET /metrics}: every meter in Prometheus' text format, to a scraper that presents {@code CHOWDER_METRICS_TOKEN}.
 * The meters name every organization's instances, so there is no open default: which peer is "local" cannot be told
 * behind a proxy on the same host (nginx forwards from loopback and adds no header unless told to).
 */
public final class MetricsEndpoint {
    public static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Optional<byte[]> token;

    public MetricsEndpoint(PrometheusMeterRegistry registry, MetricsConfig config) {
        this.registry = requireNonNull(registry, "registry is null");
        this.token = config.bearerToken().map(value -> ("Bearer " + value).getBytes(StandardCharsets.UTF_8));
    }

    public void scrape(Context ctx) {
        if (token.isEmpty()) {
            throw new ChowderException(ErrorCode.PERMISSION_DENIED, "Metrics need a scrape token: set CHOWDER_METRICS_TOKEN (16 characters "
                    + "or more) and scrape with Authorization: Bearer <token>.");
        }
        String authorization = ctx.header("Authorization");
        if (authorization == null) {
            throw new ChowderException(ErrorCode.MISSING_API_KEY, "Missing metrics token: send Authorization: Bearer <CHOWDER_METRICS_TOKEN>.");
        }
        // Constant time: the comparison must not tell how much of a guess was right.
        if (!MessageDigest.isEqual(token.get(), authorization.getBytes(StandardCharsets.UTF_8))) {
            throw new ChowderException(ErrorCode.INVALID_API_KEY, "Invalid metrics token.");
        }
        ctx.contentType(CONTENT_TYPE).result(registry.scrape());
    }
}
