package chowder.application.port;

import static java.util.Objects.requireNonNull;

import chowder.domain.TokenUsage;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A successful (2xx) answer of a gateway, relayed to the client as it is, with the usage it reported. Its body (the
 * bytes from the buffer's position to its limit, read-only) may be a view of the gateway adapter's own buffer, which
 * is reused once the answer is closed: whoever writes it to the client closes it once written, and nothing reads it
 * after (closing twice is harmless). It counts against the memory the gateway adapter lets answers hold until then.
 */
public record GatewayResponse(int status, String contentType, ByteBuffer body, Optional<TokenUsage> usage, Runnable release)
        implements AutoCloseable {
    public GatewayResponse {
        requireNonNull(contentType, "contentType is null");
        requireNonNull(body, "body is null");
        requireNonNull(usage, "usage is null");
        requireNonNull(release, "release is null");
        body = body.isReadOnly() ? body : body.asReadOnlyBuffer();
    }

    /** An answer that holds no counted memory. */
    public GatewayResponse(int status, String contentType, byte[] body, Optional<TokenUsage> usage) {
        this(status, contentType, ByteBuffer.wrap(body), usage, () -> { });
    }

    /** A copy of the body, for a caller that keeps it past {@link #close()} (the relay writes the view itself). */
    public byte[] bytes() {
        byte[] copy = new byte[body.remaining()];
        body.get(body.position(), copy);
        return copy;
    }

    @Override
    public void close() {
        release.run();
    }
}
