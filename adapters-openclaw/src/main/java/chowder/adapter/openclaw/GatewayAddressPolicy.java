package chowder.adapter.openclaw;

import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayUrl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which addresses gateways may have. By default every address but link-local ones (169.254.0.0/16, fe80::/10),
 * where most cloud metadata services live, and the metadata and platform addresses outside them: AWS's IPv6
 * fd00:ec2::254, Alibaba's 100.100.100.200, Oracle's 192.0.0.192 and Azure's 168.63.129.16 (WireServer); an IPv6
 * address that embeds one of those IPv4 addresses (IPv4-mapped, IPv4-compatible, NAT64, 6to4) is refused as that address. When
 * the operator lists allowed networks, only those. Checked when a URL is registered and again for every connection,
 * after DNS resolution, so a host name that later resolves elsewhere cannot slip through.
 */
final class GatewayAddressPolicy implements GatewayAddressPolicyPort {
    static final List<Cidr> BLOCKED_BY_DEFAULT = List.of(
            Cidr.parse("169.254.0.0/16"),
            Cidr.parse("fe80::/10"),
            Cidr.parse("fd00:ec2::254/128"),
            Cidr.parse("100.100.100.200/32"),
            Cidr.parse("192.0.0.192/32"),
            Cidr.parse("168.63.129.16/32"));
    // IPv6 forms that carry an IPv4 address (RFC 4291 §2.5.5.1, RFC 6052, RFC 3056): prefix, and where the IPv4 starts.
    private static final List<Cidr> EMBEDDING_IPV4 = List.of(Cidr.parse("::/96"), Cidr.parse("64:ff9b::/96"), Cidr.parse("2002::/16"));
    private static final int[] EMBEDDED_IPV4_OFFSET = {12, 12, 2};

    private final List<Cidr> allowed;

    /** @param allowedNetworks empty for the default policy */
    GatewayAddressPolicy(List<String> allowedNetworks) {
        this.allowed = allowedNetworks.stream().map(Cidr::parse).toList();
    }

    boolean permits(InetAddress resolved) {
        // A host name may resolve to ::ffff:169.254.169.254 (an AAAA record): checked as the IPv4 address it reaches.
        InetAddress address = Cidr.unmapped(resolved);
        if (!allowed.isEmpty()) {
            return allowed.stream().anyMatch(network -> network.contains(address));
        }
        return BLOCKED_BY_DEFAULT.stream().noneMatch(network -> network.contains(address))
                && embeddedIpv4(address).map(this::permits).orElse(true);
    }

    /** The IPv4 address an IPv6 address carries, if it has one of the forms that do (IPv4-mapped ones are unmapped before). */
    private static java.util.Optional<InetAddress> embeddedIpv4(InetAddress address) {
        for (int i = 0; i < EMBEDDING_IPV4.size(); i++) {
            if (EMBEDDING_IPV4.get(i).contains(address)) {
                return java.util.Optional.of(Cidr.ipv4At(address.getAddress(), EMBEDDED_IPV4_OFFSET[i]));
            }
        }
        return java.util.Optional.empty();
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
