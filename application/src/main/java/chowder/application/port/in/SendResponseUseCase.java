package chowder.application.port.in;

import chowder.application.port.out.GatewayResponse;

/** Sends a response request to a session of an instance and returns the gateway's answer. */
public interface SendResponseUseCase {
    GatewayResponse send(SendResponseCommand command);
}
