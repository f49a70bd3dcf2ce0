package chowder.application.port.out;

import chowder.domain.GatewayUrl;

/** Decides which addresses a gateway URL may point at (no link-local or cloud metadata addresses by default). */
public interface GatewayAddressPolicyPort {
    /** Throws a {@code GATEWAY_ADDRESS_FORBIDDEN} error when the URL's host is, or resolves to, a forbidden address. */
    void check(GatewayUrl url);
}
