package chowder.application.port;

import static java.util.Objects.requireNonNull;

import chowder.domain.TokenUsage;
import java.util.Optional;

/**
 * A successful (2xx) answer of a gateway, relayed to the client as it is, with the usage it reported. Its body counts
 * against the memory the gateway adapter lets answers hold until it is closed: whoever writes it to the client closes
 * it, once written (closing twice is harmless).
 */
public record GatewayResponse(int status, String contentType, byte[] body, Optional<TokenUsage> usage, Runnable release)
        implements AutoCloseable {
    public GatewayResponse {
        requireNonNull(contentType, "contentType is null");
        requireNonNull(body, "body is null");
        requireNonNull(usage, "usage is null");
        requireNonNull(release, "release is null");
    }

    /** An answer that holds no counted memory. */
    public GatewayResponse(int status, String contentType, byte[] body, Optional<TokenUsage> usage) {
        this(status, contentType, body, usage, () -> { });
    }

    @Override
    public void close() {
        release.run();
    }
}
