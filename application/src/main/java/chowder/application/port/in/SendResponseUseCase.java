package chowder.application.port.in;

import chowder.application.port.out.GatewayResponse;
import chowder.application.port.out.ResponseStream;

/** Sends a response request to a session of an instance and returns the gateway's answer. */
public interface SendResponseUseCase {
    /** For a request without {@code "stream": true}: the whole answer, which the caller closes once it is written. */
    GatewayResponse send(SendResponseCommand command);

    /** For a request with {@code "stream": true}: the open event stream, which the caller closes. */
    ResponseStream stream(SendResponseCommand command);
}
