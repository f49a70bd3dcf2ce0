package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** {@code GET /metrics}: every meter in Prometheus' text format, behind the optional metrics token. */
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
}
