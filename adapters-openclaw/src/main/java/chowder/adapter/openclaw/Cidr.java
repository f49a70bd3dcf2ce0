package chowder.adapter.openclaw;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP network such as {@code 169.254.0.0/16} or {@code fd00:ec2::254/128}. */
public record Cidr(byte[] network, int prefixLength, String text) {
    // ::ffff:0:0/96 (RFC 4291 §2.5.5.2), compared as bytes: Java parses the literal as IPv4.
    private static final byte[] IPV4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    /** Parses {@code address/prefix} or a single address; throws {@link IllegalArgumentException} for anything else. */
    public static Cidr parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!address.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("not an IP network: " + trimmed);
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("prefix out of range: " + trimmed);
            }
            return new Cidr(bytes, prefix, trimmed);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not an IP network: " + trimmed);
        }
    }

    /**
     * {@code address}, or the IPv4 address it stands for when it is IPv4-mapped ({@code ::ffff:a.b.c.d}). Java turns a
     * mapped literal into IPv4, but a DNS answer (an AAAA record) stays an IPv6 address that no IPv4 check matches
     * ({@code isLoopbackAddress()} is false for {@code ::ffff:127.0.0.1}), while a socket to it reaches the IPv4 address.
     */
    public static InetAddress unmapped(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && java.util.Arrays.equals(bytes, 0, 12, IPV4_MAPPED_PREFIX, 0, 12) ? ipv4At(bytes, 12) : address;
    }

    /** The IPv4 address in the four bytes of {@code bytes} from {@code offset} (where an IPv6 address embeds one). */
    static InetAddress ipv4At(byte[] bytes, int offset) {
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, offset, offset + 4));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException("four bytes are always an IPv4 address", impossible);
        }
    }

    /** Whether the network holds {@code address}, an IPv4-mapped IPv6 address counting as the IPv4 address it maps. */
    public boolean contains(InetAddress address) {
        byte[] candidate = unmapped(address).getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = 0xff << (8 - remainingBits) & 0xff;
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    /** The same network however it was written ({@code 10.0.0.5} and {@code 10.0.0.5/32} are one): a record compares arrays by identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr cidr && prefixLength == cidr.prefixLength && java.util.Arrays.equals(network, cidr.network);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        return text;
    }
}
