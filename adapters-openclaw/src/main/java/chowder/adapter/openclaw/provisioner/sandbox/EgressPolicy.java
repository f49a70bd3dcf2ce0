package chowder.adapter.openclaw.provisioner.sandbox;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where one instance's agent may connect through the egress proxy: a destination named by one of its rules, at an
 * address resolved here, at connect time. Host names only ever reach public addresses (a name that resolves to a
 * private, loopback, link-local, metadata or otherwise special address, or to one of this host's own, is refused,
 * whatever DNS says); such an address is reachable only through a rule that names its network. Loopback is never reached through the proxy:
 * a loopback rule lets its port into the sandbox directly.
 */
record EgressPolicy(List<EgressRule> rules) {
    /** The special-use ranges of OpenClaw's recommended proxy denylist (docs/security/network-proxy.md). */
    static final List<Cidr> SPECIAL_USE = Stream.of(
                    "127.0.0.0/8", "::1/128", "0.0.0.0/8", "::/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                    "169.254.0.0/16", "fe80::/10", "100.64.0.0/10", "198.18.0.0/15", "2001:2::/48", "192.0.0.0/24",
                    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "224.0.0.0/4", "ff00::/8",
                    "240.0.0.0/4", "fc00::/7", "fec0::/10", "100::/64", "2001:20::/28", "64:ff9b::/96", "64:ff9b:1::/48",
                    "2002::/16", "2001::/32", "::/96", "192.88.99.0/24", "168.63.129.16/32")
            .map(Cidr::parse)
            .toList();

    EgressPolicy {
        rules = List.copyOf(requireNonNull(rules, "rules is null"));
    }

    /** Why a destination is refused; the message is safe to show to the instance's own agent. */
    static final class Denied extends Exception {
        private static final long serialVersionUID = 1L;

        Denied(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The address to connect to for {@code host:port}, resolved now (blocking), or why not. Only a name that a rule names
     * is ever resolved, so that a refused request costs no lookup and cannot carry data out in one; every refusal has the
     * same words, so that an agent learns nothing about which names exist.
     */
    InetSocketAddress resolve(String host, int port) throws Denied {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        boolean literal = name.matches("[0-9.]+") || name.contains(":");
        boolean namedByRule = !literal && rules.stream().anyMatch(rule -> rule.matchesName(host.toLowerCase(Locale.ROOT), port));
        if (!literal && !namedByRule) {
            throw denied(host, port);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(name);
        } catch (UnknownHostException e) {
            throw literal ? denied(host, port) : new Denied(host + " does not resolve");
        }
        for (InetAddress resolved : addresses) {
            // A name may resolve to ::ffff:127.0.0.1 (an AAAA record): checked as, and connected to, the IPv4 address.
            InetAddress address = Cidr.unmapped(resolved);
            if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
                continue;
            }
            boolean special = HOST_ADDRESSES.contains(address) || SPECIAL_USE.stream().anyMatch(range -> range.contains(address));
            boolean namedNetwork = rules.stream().anyMatch(rule -> rule.matchesAddress(address, port));
            if (namedNetwork || namedByRule && !special) {
                return new InetSocketAddress(address, port);
            }
        }
        throw denied(host, port);
    }

    private static Denied denied(String host, int port) {
        return new Denied(host + ":" + port + " is not an allowed destination of this sandbox");
    }

    /** This host's own addresses (a public IPv6 address of its network card, say): never a destination, whatever DNS says. */
    private static final java.util.Set<InetAddress> HOST_ADDRESSES = hostAddresses();

    private static java.util.Set<InetAddress> hostAddresses() {
        try {
            return java.net.NetworkInterface.networkInterfaces()
                    .flatMap(java.net.NetworkInterface::inetAddresses)
                    .map(address -> address instanceof java.net.Inet6Address v6 && v6.getScopeId() != 0 ? withoutScope(v6) : address)
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
        } catch (java.net.SocketException e) {
            return java.util.Set.of();
        }
    }

    private static InetAddress withoutScope(java.net.Inet6Address address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException e) {
            return address;
        }
    }
}
