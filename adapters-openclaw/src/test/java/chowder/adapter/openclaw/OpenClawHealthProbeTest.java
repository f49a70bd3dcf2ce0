package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import chowder.testing.FakeOpenClawGateway;
import chowder.testing.LoopbackPorts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health probes against real servers that are ready, not ready, silent, gone, or forbidden. */
class OpenClawHealthProbeTest {
    private static final String UNREACHABLE = "Gateway unreachable at /readyz: the gateway could not be reached or did not accept Chowder's credentials.";
    // A probe of a gateway that answers must not time out on a busy machine: only the silent one below waits for it.
    private final OpenClawGatewayConfig config = new OpenClawGatewayConfig(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, 64L << 20, List.of(), Duration.ofSeconds(3));
    private HttpClient http;
    private OpenClawHealthProbe probe;

    @BeforeEach
    void start() throws Exception {
        http = GatewayHttpClients.create(config);
        http.start();
        probe = new OpenClawHealthProbe(http, config.probeTimeout());
    }

    @AfterEach
    void stop() throws Exception {
        http.stop();
    }

    @Test
    void aReadyGatewayIsHealthyAndOneThatGoesAwayIsNot() throws Exception {
        FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
        Instance instance = instance(gateway.baseUrl().toString());
        assertThat(result(instance)).isEmpty();
        gateway.setReady(false);
        assertThat(result(instance)).contains("Gateway not ready: /readyz answered 503.");
        gateway.close();
        assertThat(result(instance)).contains(UNREACHABLE);
    }

    @Test
    void aRefusedASilentAnAuthenticatingAndANonHttpAddressGiveTheTenantOneReasonAndTheLogTheCause() throws Exception {
        ch.qos.logback.classic.Logger probeLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(OpenClawHealthProbe.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        probeLog.addAppender(logged);
        int closedPort = LoopbackPorts.free();
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                RawServer authenticating = RawServer.answering("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n");
                RawServer ssh = RawServer.answering("SSH-2.0-OpenSSH_9.2\r\n")) {
            Instance refused = instance("http://127.0.0.1:" + closedPort);
            Instance quiet = instance("http://127.0.0.1:" + silent.getLocalPort());
            Instance withAuth = instance(authenticating.url());
            Instance notHttp = instance(ssh.url());
            for (Instance instance : List.of(refused, quiet, withAuth, notHttp)) {
                assertThat(result(instance)).as(instance.gatewayUrl().toString()).contains(UNREACHABLE);
            }
            // A second round with the same causes logs nothing new.
            assertThat(result(refused)).contains(UNREACHABLE);
            List<String> warnings = logged.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).hasSize(4);
            assertThat(warnings).filteredOn(line -> line.contains(refused.id().toString())).singleElement().asString().contains("connection refused");
            assertThat(warnings).filteredOn(line -> line.contains(quiet.id().toString())).singleElement().asString().contains("no answer within");
            assertThat(warnings).filteredOn(line -> line.contains(withAuth.id().toString())).singleElement().asString().contains("answered 401");
            assertThat(warnings).filteredOn(line -> line.contains(notHttp.id().toString())).singleElement().asString().isNotBlank();
        } finally {
            probeLog.detachAppender(logged);
        }
    }

    /** A socket server that reads each request's head, answers with fixed bytes, and waits for the client to hang up. */
    private record RawServer(java.net.ServerSocket socket) implements AutoCloseable {
        static RawServer answering(String bytes) throws java.io.IOException {
            java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket accepted = server.accept();
                        Thread.ofVirtual().start(() -> answer(accepted, bytes));
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            return new RawServer(server);
        }

        private static void answer(java.net.Socket accepted, String bytes) {
            try (accepted) {
                accepted.setSoTimeout(30_000);
                java.io.InputStream in = accepted.getInputStream();
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                accepted.getOutputStream().write(bytes.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                accepted.getOutputStream().flush();
                while (in.read() >= 0) {
                    // Until the client closes its end.
                }
            } catch (java.io.IOException gone) {
                // The client went away or the test is over.
            }
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void aForbiddenAddressIsNeverContacted() throws Exception {
        assertThat(result(instance("http://169.254.169.254"))).hasValueSatisfying(reason -> assertThat(reason).contains("outside the allowed networks"));
        // A tenant's name whose AAAA record is ::ffff:169.254.169.254 is the metadata service too, at every connection.
        assertThat(result(instance("http://" + Ipv4MappedNames.nameFor("169.254.169.254"))))
                .hasValueSatisfying(reason -> assertThat(reason).contains("outside the allowed networks"));
    }

    @Test
    void aThousandProbesRunConcurrentlyWithoutAThreadEach() throws Exception {
        FakeOpenClawGateway gateway = FakeOpenClawGateway.start("t");
        try {
            Instance instance = instance(gateway.baseUrl().toString());
            OpenClawHealthProbe patient = new OpenClawHealthProbe(http, Duration.ofSeconds(30));
            int before = Thread.activeCount();
            // 1,000: Jetty queues at most 1,024 requests per destination; real probes go to as many gateways as there are.
            var probes = java.util.stream.IntStream.range(0, 1_000).mapToObj(i -> patient.probe(instance).toCompletableFuture()).toList();
            int during = Thread.activeCount();
            for (var result : probes) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEmpty();
            }
            // Platform threads stay bounded by the client's pool, not by the number of probes.
            assertThat(during - before).isLessThan(300);
        } finally {
            gateway.close();
        }
    }

    private Optional<String> result(Instance instance) throws Exception {
        return probe.probe(instance).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Instance instance(String url) {
        return Instance.register(OrganizationId.random(), "probe", GatewayUrl.of(url), new GatewayToken("t"), InstanceSettings.NONE, Instant.now());
    }
}
