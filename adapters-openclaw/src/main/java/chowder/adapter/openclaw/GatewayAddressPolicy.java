package chowder.adapter.openclaw;

import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayUrl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which addresses gateways may have. By default every address but link-local ones, where cloud
 * metadata services live (169.254.0.0/16, fe80::/10, fd00:ec2::254); when the operator lists allowed
 * networks, only those. Checked when a URL is registered and again for every connection, after DNS
 * resolution, so a host name that later resolves elsewhere cannot slip through.
 */
final class GatewayAddressPolicy implements GatewayAddressPolicyPort {
    static final List<Cidr> BLOCKED_BY_DEFAULT = List.of(Cidr.parse("169.254.0.0/16"), Cidr.parse("fe80::/10"), Cidr.parse("fd00:ec2::254/128"));

    private final List<Cidr> allowed;

    /** @param allowedNetworks empty for the default policy */
    GatewayAddressPolicy(List<String> allowedNetworks) {
        this.allowed = allowedNetworks.stream().map(Cidr::parse).toList();
    }

    boolean permits(InetAddress address) {
        if (!allowed.isEmpty()) {
            return allowed.stream().anyMatch(network -> network.contains(address));
        }
        return BLOCKED_BY_DEFAULT.stream().noneMatch(network -> network.contains(address));
    }

    /** Resolves the host now; a name that does not resolve yet is accepted and checked again at connect time. */
    @Override
    public void check(GatewayUrl url) {
        String host = url.value().getHost();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException notYetResolvable) {
            return;
        }
        for (InetAddress address : addresses) {
            if (!permits(address)) {
                throw forbidden(host);
            }
        }
    }

    static ChowderException forbidden(String host) {
        return new ChowderException(ErrorCode.GATEWAY_ADDRESS_FORBIDDEN, "gateway_url host " + host
                + " is a link-local or metadata address, or outside the networks allowed by CHOWDER_GATEWAY_ALLOWED_NETWORKS.");
    }
}
