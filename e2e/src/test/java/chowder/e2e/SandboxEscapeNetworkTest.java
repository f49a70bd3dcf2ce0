package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Escapes through the network ({@link SandboxEscapeTestBase}): no agent connects to the host's services, to Chowder, to
 * the other gateway, to a metadata address or to listeners of the test's own, directly or through the egress proxy.
 */
class SandboxEscapeNetworkTest extends SandboxEscapeTestBase {
    private static final List<Integer> HOST_SERVICES = List.of(5432, 6379, 3306, 5672, 4222, 1883);

    @Test
    void noAgentConnectsToTheHostsServicesToChowderOrToTheOtherGateway() throws Exception {
        for (CountingListener listener : listeners) {
            listener.reachableFromTheHost();
        }
        // PostgreSQL and Redis listen on this host's loopback (the persistence tests need PostgreSQL).
        for (int port : List.of(5432, 6379)) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            }
        }
        Map<SandboxTenant, String> outputs = both(tenant -> {
            int otherGateway = port(tenant == acme ? globex : acme);
            StringBuilder command = new StringBuilder();
            for (int port : concat(HOST_SERVICES, List.of(chowder.baseUrl().getPort(), otherGateway))) {
                command.append(probe("127.0.0.1", port, "port " + port));
            }
            command.append(probe("169.254.169.254", 80, "metadata"));
            for (CountingListener listener : listeners) {
                command.append(probe(listener.host(), listener.port(), "listener " + listener.destination()));
            }
            List<String> viaProxy = new ArrayList<>(List.of("127.0.0.1:5432", "[::1]:6379", "169.254.169.254:80",
                    "127.0.0.1:" + otherGateway));
            listeners.forEach(listener -> viaProxy.add(listener.destination()));
            for (String destination : viaProxy) {
                command.append("curl -s -m 5 --noproxy '' -p -x \"$OPENCLAW_PROXY_URL\" http://").append(destination)
                        .append("/ -o /dev/null -w 'proxy to ").append(destination).append(" %{http_connect}\\n'; ");
            }
            return shell(tenant, command.toString());
        });
        for (SandboxTenant tenant : List.of(acme, globex)) {
            String output = outputs.get(tenant);
            assertThat(output).doesNotContain("OPEN").contains("metadata closed");
            for (int port : HOST_SERVICES) {
                assertThat(output).contains("port " + port + " closed");
            }
            for (CountingListener listener : listeners) {
                assertThat(output).contains("listener " + listener.destination() + " closed");
            }
            assertThat(output.lines().filter(line -> line.startsWith("proxy to ")).toList()).hasSize(4 + listeners.size())
                    .allMatch(line -> line.endsWith(" 403"));
        }
        for (CountingListener listener : listeners) {
            assertThat(listener.accepted()).as("connections to %s: the host's own only", listener.destination()).isEqualTo(1);
        }
    }

    /** A shell line that tries a TCP connection from inside and prints {@code <label> OPEN} or {@code <label> closed}. */
    private static String probe(String host, int port, String label) {
        return "timeout 3 bash -c 'echo > /dev/tcp/" + host + "/" + port + "' 2>/dev/null && echo '" + label + " OPEN' || echo '" + label
                + " closed'; ";
    }


    private static List<Integer> concat(List<Integer> first, List<Integer> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }
}
