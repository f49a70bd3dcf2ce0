package chowder.adapter.openclaw;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/** Resolves gateway hosts as usual, then refuses the connection when any address breaks the policy. */
final class PolicyCheckingResolver implements SocketAddressResolver {
    private final SocketAddressResolver delegate;
    private final GatewayAddressPolicy policy;

    PolicyCheckingResolver(SocketAddressResolver delegate, GatewayAddressPolicy policy) {
        this.delegate = delegate;
        this.policy = policy;
    }

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        delegate.resolve(host, port, context, new Promise<>() {
            @Override
            public void succeeded(List<InetSocketAddress> addresses) {
                if (addresses.stream().allMatch(address -> policy.permits(address.getAddress()))) {
                    promise.succeeded(addresses);
                } else {
                    promise.failed(new ForbiddenGatewayAddressException(host));
                }
            }

            @Override
            public void failed(Throwable failure) {
                promise.failed(failure);
            }
        });
    }

    /** The connection was refused by Chowder's own address policy. */
    static final class ForbiddenGatewayAddressException extends java.io.IOException {
        ForbiddenGatewayAddressException(String host) {
            super("gateway host " + host + " resolves to an address outside the allowed networks");
        }
    }
}
