package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayUrl;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayAddressPolicyTest {

    @Test
    void byDefaultLinkLocalAndCloudMetadataAddressesAreForbiddenAlsoInsideIpv6AndEverythingElseAllowed() throws Exception {
        GatewayAddressPolicy policy = new GatewayAddressPolicy(List.of());
        for (String forbidden : List.of("169.254.169.254", "169.254.0.1", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254",
                "100.100.100.200", "192.0.0.192", "168.63.129.16",
                "::169.254.169.254", "64:ff9b::169.254.169.254", "64:ff9b::100.100.100.200", "2002:a9fe:a9fe::1", "2002:c000:00c0::")) {
            assertThat(policy.permits(InetAddress.getByName(forbidden))).as(forbidden).isFalse();
        }
        for (String allowed : List.of("127.0.0.1", "10.0.0.5", "192.168.1.10", "8.8.8.8", "::1", "fd00:ec2::253", "169.255.0.1",
                "100.100.100.201", "192.0.0.193", "168.63.129.17", "64:ff9b::8.8.8.8", "2002:0808:0808::1", "::")) {
            assertThat(policy.permits(InetAddress.getByName(allowed))).as(allowed).isTrue();
        }
        assertThatThrownBy(() -> policy.check(GatewayUrl.of("http://169.254.169.254/latest")))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_ADDRESS_FORBIDDEN));
        assertThatThrownBy(() -> policy.check(GatewayUrl.of("http://[fd00:ec2::254]:80"))).isInstanceOf(ChowderException.class);
        policy.check(GatewayUrl.of("http://127.0.0.1:18789"));
        policy.check(GatewayUrl.of("http://gateway.invalid:18789"));
    }

    @Test
    void aNameThatResolvesToAnIpv4MappedAddressIsCheckedAsTheIpv4AddressItReaches() throws Exception {
        String metadata = Ipv4MappedNames.nameFor("169.254.169.254");
        // What a DNS answer of that form is in Java: an IPv6 address, unlike the literal, which Java makes IPv4.
        assertThat(InetAddress.getByName(metadata)).isInstanceOf(java.net.Inet6Address.class);
        assertThatThrownBy(() -> new GatewayAddressPolicy(List.of()).check(GatewayUrl.of("http://" + metadata + ":80")))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.GATEWAY_ADDRESS_FORBIDDEN));
        GatewayAddressPolicy allowedNetworks = new GatewayAddressPolicy(List.of("10.0.0.0/8"));
        assertThat(allowedNetworks.permits(InetAddress.getByName(Ipv4MappedNames.nameFor("10.1.2.3")))).isTrue();
        assertThat(allowedNetworks.permits(InetAddress.getByName(Ipv4MappedNames.nameFor("127.0.0.1")))).isFalse();
        assertThat(Cidr.parse("169.254.0.0/16").contains(InetAddress.getByName(metadata))).isTrue();
        assertThat(Cidr.unmapped(InetAddress.getByName(metadata))).isEqualTo(InetAddress.getByName("169.254.169.254"));
        assertThat(Cidr.unmapped(InetAddress.getByName("::1"))).isEqualTo(InetAddress.getByName("::1"));
    }

    @Test
    void allowedNetworksReplaceTheDefault() throws Exception {
        GatewayAddressPolicy policy = new GatewayAddressPolicy(List.of("10.0.0.0/8", "169.254.10.0/24"));
        assertThat(policy.permits(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(policy.permits(InetAddress.getByName("169.254.10.7"))).isTrue();
        assertThat(policy.permits(InetAddress.getByName("169.254.169.254"))).isFalse();
        assertThat(policy.permits(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @Test
    void cidrsAreParsedStrictly() {
        assertThat(Cidr.parse("192.168.0.0/23").contains(addressOf("192.168.1.255"))).isTrue();
        assertThat(Cidr.parse("192.168.0.0/23").contains(addressOf("192.168.2.0"))).isFalse();
        for (String bad : List.of("10.0.0.0/33", "example.com/8", "10.0.0.0/x", "")) {
            assertThatThrownBy(() -> Cidr.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static InetAddress addressOf(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
