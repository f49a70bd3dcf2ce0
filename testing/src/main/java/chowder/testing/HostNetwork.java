package chowder.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;

/** This host as seen from its network rather than its loopback: where a model server on another machine would be. */
public final class HostNetwork {
    private HostNetwork() {}

    /** The first IPv4 address of an interface that is up and not loopback; fails the test when the host has none. */
    public static InetAddress address() {
        try {
            for (NetworkInterface network : NetworkInterface.networkInterfaces().toList()) {
                if (network.isUp() && !network.isLoopback()) {
                    for (InetAddress address : network.inetAddresses().toList()) {
                        if (address instanceof Inet4Address) {
                            return address;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("this test needs a network interface with an IPv4 address besides loopback");
    }
}
