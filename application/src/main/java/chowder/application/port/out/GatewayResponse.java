package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

/** A successful (2xx) answer of a gateway, relayed to the client as it is. */
public record GatewayResponse(int status, String contentType, byte[] body) {
    public GatewayResponse {
        requireNonNull(contentType, "contentType is null");
        requireNonNull(body, "body is null");
    }
}
