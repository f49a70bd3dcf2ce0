package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.openclaw.Ipv4MappedNames;
import chowder.testing.HostNetwork;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The egress proxy on a real socket, tunnelling to a real server on this host's network address. */
@Timeout(60)
class EgressProxyTest {
    private final EgressProxy proxy = new EgressProxy(new SecureRandom());
    private ServerSocket upstream;
    private InetAddress address;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        proxy.start();
        address = HostNetwork.address();
        upstream = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
        Thread.ofVirtual().start(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket client = upstream.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> echo(client));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        upstream.close();
        proxy.close();
    }

    @Test
    void tunnelsOnlyWhereTheInstancesPolicyAllowsAndOnlyForItsOwnCredentials() throws Exception {
        String destination = address.getHostAddress() + ":" + upstream.getLocalPort();
        URI granted = URI.create(proxy.grant("instance-a", new EgressPolicy(List.of(EgressRule.parse(destination)))));
        URI other = URI.create(proxy.grant("instance-b", new EgressPolicy(List.of())));

        try (Tunnel tunnel = connect(granted.getUserInfo(), destination)) {
            assertThat(tunnel.status()).isEqualTo(200);
            assertThat(tunnel.roundTrip("ping")).isEqualTo("ping");
        }
        assertThat(connect(other.getUserInfo(), destination).status()).isEqualTo(403);
        assertThat(connect(granted.getUserInfo(), address.getHostAddress() + ":" + (upstream.getLocalPort() + 1)).status()).isEqualTo(403);
        // Chowder's own loopback services are never a destination, whatever a rule says.
        URI loopback = URI.create(proxy.grant("instance-c", new EgressPolicy(List.of(EgressRule.parse("127.0.0.1:" + proxy.port())))));
        assertThat(connect(loopback.getUserInfo(), "127.0.0.1:" + proxy.port()).status()).isEqualTo(403);

        // Nor through a name whose AAAA record maps the host's loopback (::ffff:127.0.0.1), which a rule may name: nothing connects.
        String mappedLoopback = Ipv4MappedNames.nameFor("127.0.0.1") + ":" + upstream.getLocalPort();
        // The name resolves (to the IPv6 form a DNS answer has): the refusal below is the policy's, not a failed lookup.
        assertThat(InetAddress.getByName(Ipv4MappedNames.nameFor("127.0.0.1"))).isInstanceOf(java.net.Inet6Address.class);
        URI named = URI.create(proxy.grant("instance-d", new EgressPolicy(List.of(EgressRule.parse(mappedLoopback)))));
        int acceptedBefore = accepted.get();
        assertThat(connect(named.getUserInfo(), mappedLoopback).status()).isEqualTo(403);
        assertThat(accepted.get()).isEqualTo(acceptedBefore);

        assertThat(connect(null, destination).status()).isEqualTo(407);
        assertThat(connect("instance-a:wrong-secret", destination).status()).isEqualTo(407);
        assertThat(connect(other.getUserInfo(), destination).status()).isEqualTo(403);
        proxy.revoke("instance-a");
        assertThat(connect(granted.getUserInfo(), destination).status()).isEqualTo(407);
    }

    @Test
    void anInstanceHoldsABoundedNumberOfTunnelsAndGetsThemBackWhenTheyClose() throws Exception {
        String destination = address.getHostAddress() + ":" + upstream.getLocalPort();
        URI granted = URI.create(proxy.grant("instance-a", new EgressPolicy(List.of(EgressRule.parse(destination)))));
        URI other = URI.create(proxy.grant("instance-b", new EgressPolicy(List.of(EgressRule.parse(destination)))));
        java.util.List<Tunnel> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < EgressProxy.MAX_TUNNELS_PER_INSTANCE; i++) {
                Tunnel tunnel = connect(granted.getUserInfo(), destination);
                open.add(tunnel);
                assertThat(tunnel.status()).isEqualTo(200);
            }
            try (Tunnel refused = connect(granted.getUserInfo(), destination)) {
                assertThat(refused.status()).isEqualTo(429);
            }
            // Another tenant is not held up by the first one's tunnels.
            try (Tunnel theirs = connect(other.getUserInfo(), destination)) {
                assertThat(theirs.status()).isEqualTo(200);
            }
            open.removeFirst().close();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (true) {
                try (Tunnel again = connect(granted.getUserInfo(), destination)) {
                    if (again.status() == 200) {
                        break;
                    }
                    assertThat(again.status()).isEqualTo(429);
                }
                assertThat(System.nanoTime() - deadline).as("a closed tunnel's slot comes back").isNegative();
                Thread.sleep(20);
            }
        } finally {
            for (Tunnel tunnel : open) {
                tunnel.close();
            }
        }
    }

    @Test
    void plainHttpProxyingIsRefused() throws Exception {
        URI granted = URI.create(proxy.grant("instance-a", new EgressPolicy(List.of(EgressRule.parse(address.getHostAddress() + ":80")))));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            String host = address.getHostAddress();
            socket.getOutputStream().write(("GET http://" + host + "/ HTTP/1.1\r\nHost: " + host + "\r\nProxy-Authorization: Basic "
                    + basic(granted.getUserInfo()) + "\r\n\r\n").getBytes(UTF_8));
            assertThat(new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine()).contains("405");
        }
    }

    private Tunnel connect(String userInfo, String destination) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(20_000);
        String request = "CONNECT " + destination + " HTTP/1.1\r\nHost: " + destination + "\r\n"
                + (userInfo == null ? "" : "Proxy-Authorization: Basic " + basic(userInfo) + "\r\n") + "\r\n";
        socket.getOutputStream().write(request.getBytes(UTF_8));
        InputStream in = socket.getInputStream();
        String statusLine = readLine(in);
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            // headers
        }
        return new Tunnel(socket, Integer.parseInt(statusLine.split(" ")[1]));
    }

    private record Tunnel(Socket socket, int status) implements AutoCloseable {
        String roundTrip(String text) throws IOException {
            socket.getOutputStream().write((text + "\n").getBytes(UTF_8));
            return readLine(socket.getInputStream());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String basic(String userInfo) {
        return Base64.getEncoder().encodeToString(userInfo.getBytes(UTF_8));
    }

    private static void echo(Socket client) {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the test closed it
        }
    }
}
