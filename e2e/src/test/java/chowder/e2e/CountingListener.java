package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A TCP listener of the test's own that counts the connections it accepts. */
record CountingListener(ServerSocket socket, AtomicInteger accepts) implements AutoCloseable {
    static CountingListener on(InetAddress address) throws IOException {
        CountingListener listener = new CountingListener(new ServerSocket(0, 50, address), new AtomicInteger());
        Thread.ofVirtual().start(() -> {
            while (!listener.socket().isClosed()) {
                try (Socket ignored = listener.socket().accept()) {
                    listener.accepts().incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return listener;
    }

    /** Connects from the host, where it must work: the one connection {@link #accepted()} counts. */
    void reachableFromTheHost() throws Exception {
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort()), 5000);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (accepts.get() == 0) {
            assertThat(System.nanoTime() - deadline).as("the host's connection to %s accepted", destination()).isNegative();
            Thread.sleep(10);
        }
    }

    int accepted() {
        return accepts.get();
    }

    String host() {
        return socket.getInetAddress().getHostAddress();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** {@code host:port}, the host in brackets for IPv6, as curl and the egress proxy take it. */
    String destination() {
        return (socket.getInetAddress() instanceof Inet6Address ? "[" + host() + "]" : host()) + ":" + port();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
