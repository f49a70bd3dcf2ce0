package chowder.adapter.openclaw;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * The test JVM's name resolution (Java's resolver SPI): {@code a-b-c-d.ipv4-mapped.test} resolves to the IPv6 address
 * {@code ::ffff:a.b.c.d}, as a name whose DNS server publishes that AAAA record does (a tenant controls its own names'
 * records); every other name goes to the system's resolver. No test can publish a DNS record here, and Java turns a mapped
 * literal into IPv4 itself, so this is how an answer of that form reaches Chowder's address checks in a test.
 */
public final class Ipv4MappedNames extends InetAddressResolverProvider {
    static final String SUFFIX = ".ipv4-mapped.test";

    /** The name that resolves to {@code ::ffff:<ipv4>}. */
    public static String nameFor(String ipv4) {
        return ipv4.replace('.', '-') + SUFFIX;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver system = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!host.endsWith(SUFFIX)) {
                    return system.lookupByName(host, policy);
                }
                String[] octets = host.substring(0, host.length() - SUFFIX.length()).split("-");
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                try {
                    for (int i = 0; i < 4; i++) {
                        mapped[12 + i] = (byte) Integer.parseInt(octets[i]);
                    }
                } catch (RuntimeException e) {
                    throw new UnknownHostException(host);
                }
                // Inet6Address.getByAddress keeps the mapped form, as the JDK's resolver does for an AAAA answer.
                return Stream.of(Inet6Address.getByAddress(host, mapped, -1));
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return system.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "ipv4-mapped test names";
    }
}
