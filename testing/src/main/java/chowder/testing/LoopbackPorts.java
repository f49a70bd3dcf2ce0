package chowder.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on this host's loopback for a test to use. */
public final class LoopbackPorts {
    private LoopbackPorts() {}

    /** A port nothing listens on right now: where a gateway is unreachable, or one a test is about to start. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
