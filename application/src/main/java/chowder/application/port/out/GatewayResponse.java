package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.domain.TokenUsage;
import java.util.Optional;

/** A successful (2xx) answer of a gateway, relayed to the client as it is, with the usage it reported. */
public record GatewayResponse(int status, String contentType, byte[] body, Optional<TokenUsage> usage) {
    public GatewayResponse {
        requireNonNull(contentType, "contentType is null");
        requireNonNull(body, "body is null");
        requireNonNull(usage, "usage is null");
    }
}
