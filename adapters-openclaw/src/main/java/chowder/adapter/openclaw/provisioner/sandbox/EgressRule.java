package chowder.adapter.openclaw.provisioner.sandbox;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.Cidr;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One destination a sandboxed agent may connect to: a host name ({@code api.openai.com}, or {@code *.example.com} for
 * its subdomains) or an IP network ({@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code [fd00::/8]}), and a port.
 * Loopback rules ({@code 127.0.0.1:11434}, {@code localhost:11434}) let that one port of the host into the sandbox.
 */
public record EgressRule(Optional<String> hostName, Optional<Cidr> network, int port) {
    private static final Pattern HOST_NAME = Pattern.compile("(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public EgressRule {
        requireNonNull(hostName, "hostName is null");
        requireNonNull(network, "network is null");
        if (hostName.isPresent() == network.isPresent()) {
            throw new IllegalArgumentException("a rule names a host or a network");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range");
        }
    }

    /** Parses {@code host:port}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static EgressRule parse(String text) {
        String rule = text.strip().toLowerCase(Locale.ROOT);
        int colon = rule.lastIndexOf(':');
        if (colon <= 0 || colon == rule.length() - 1) {
            throw new IllegalArgumentException("'" + text.strip() + "' is not host:port");
        }
        String host = rule.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(rule.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text.strip() + "' has no port number");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("'" + text.strip() + "': port out of range");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            return network(Cidr.parse(host.substring(1, host.length() - 1)), port, text);
        }
        if (host.matches("[0-9./]+")) {
            return network(Cidr.parse(host), port, text);
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + text.strip() + "': not a host name, IP address or network");
        }
        return new EgressRule(Optional.of(host), Optional.empty(), port);
    }

    /**
     * A loopback rule lets one port of the host in, on both its loopback addresses (pasta forwards ports, not
     * addresses): only {@code 127.0.0.1}, {@code ::1} and {@code localhost} say that without promising more.
     */
    private static EgressRule network(Cidr cidr, int port, String text) {
        EgressRule rule = new EgressRule(Optional.empty(), Optional.of(cidr), port);
        InetAddress address = address(cidr);
        boolean plainLoopback = rule.loopback()
                && (address.getHostAddress().equals("127.0.0.1") || address.getHostAddress().equals("0:0:0:0:0:0:0:1"));
        if (address.isLoopbackAddress() && !plainLoopback) {
            throw new IllegalArgumentException("'" + text.strip() + "': the host's loopback is named 127.0.0.1, [::1] or localhost "
                    + "(such a rule lets that port of the host in, on both)");
        }
        return rule;
    }

    /** Parses a comma-separated list; empty text is an empty list. */
    public static List<EgressRule> parseList(String text) {
        List<EgressRule> rules = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                rules.add(parse(part));
            }
        }
        return List.copyOf(rules);
    }

    /** The rule that lets a gateway reach the host and port of {@code url} (an http or https URL). */
    public static EgressRule forUrl(String url) {
        URI uri = URI.create(url);
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host in " + url);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return parse((host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port);
    }

    /**
     * Whether {@code rules} let a sandbox reach {@code destination} ({@code host:port}, {@code *.domain:port} or an
     * address): a rule that is that destination, a host rule (a wildcard one included) that covers its name, a network
     * rule that holds its address, or, for a port of this host, any loopback rule for that port (they all mean it).
     */
    public static boolean allows(List<EgressRule> rules, String destination) {
        EgressRule wanted = parse(destination);
        if (rules.contains(wanted)) {
            return true;
        }
        if (wanted.loopback()) {
            return rules.stream().anyMatch(rule -> rule.loopback() && rule.port == wanted.port);
        }
        if (wanted.hostName().isPresent()) {
            String host = wanted.hostName().get();
            return !host.startsWith("*.") && rules.stream().anyMatch(rule -> rule.matchesName(host, wanted.port()));
        }
        Cidr network = wanted.network().orElseThrow();
        return network.prefixLength() == network.network().length * 8
                && rules.stream().anyMatch(rule -> rule.matchesAddress(address(network), wanted.port()));
    }

    /** Whether the rule names exactly one loopback address (or {@code localhost}): a port of this host. */
    public boolean loopback() {
        if (hostName.isPresent()) {
            return hostName.get().equals("localhost");
        }
        Cidr cidr = network.get();
        return cidr.prefixLength() == cidr.network().length * 8 && address(cidr).isLoopbackAddress();
    }

    /** Whether a connection to {@code requestedHost} (as the agent named it, lower case) on {@code requestedPort} matches by name. */
    boolean matchesName(String requestedHost, int requestedPort) {
        if (hostName.isEmpty() || requestedPort != port) {
            return false;
        }
        String name = hostName.get();
        return name.startsWith("*.") ? requestedHost.endsWith(name.substring(1)) : requestedHost.equals(name);
    }

    /** Whether a connection to {@code address} on {@code requestedPort} matches by network. */
    boolean matchesAddress(InetAddress address, int requestedPort) {
        return network.isPresent() && requestedPort == port && network.get().contains(address);
    }

    private static InetAddress address(Cidr cidr) {
        try {
            return InetAddress.getByAddress(cidr.network());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        String host = hostName.orElseGet(() -> {
            String text = network.get().toString();
            return text.contains(":") ? "[" + text + "]" : text;
        });
        return host + ":" + port;
    }
}
