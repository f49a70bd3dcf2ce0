package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chowder.testing.ScriptedGateway;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Request bodies that break while Chowder reads them (invalid chunked encoding, a client that stops before its
 * Content-Length) on raw sockets: the client's fault, so a 400 that says what happened, and no error logged.
 */
class BrokenRequestBodiesEndToEndTest {
    private static final String DETAIL = "The request body could not be read: the connection broke or the chunked encoding is invalid.";

    @TempDir
    Path dataDir;
    @TempDir
    Path noOpenClaw;
    private final ScriptedGateway gateway = ScriptedGateway.start(ScriptedGateway.status(200, "{\"object\":\"response\"}"));
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private RunningChowder chowder;
    private String key;
    private Map<String, String> routes;

    @BeforeEach
    void start() throws Exception {
        // The provisioner is on (with no OpenClaw to run) so that an instance has a workspace to write into.
        chowder = new RunningChowder(dataDir, Map.of("CHOWDER_PROVISIONER", "local", "CHOWDER_OPENCLAW_HOME", noOpenClaw.toString(),
                "CHOWDER_GATEWAY_RESTART_BACKOFF_MAX", "60s"));
        key = chowder.createOrganization("Acme").path("api_key").asText();
        String registered = chowder.registerInstance(key, gateway.baseUrl(), "token");
        HttpResponse<String> provisioned = chowder.send("POST", "/v1/instances", key, "{\"name\":\"files\"}");
        assertThat(provisioned.statusCode()).as(provisioned.body()).isEqualTo(201);
        routes = Map.of(
                "responses", "POST /v1/instances/" + registered + "/responses",
                "instances", "POST /v1/instances",
                "files", "PUT /v1/instances/" + JSON.readTree(provisioned.body()).path("id").asText() + "/files/content");
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        chowder.close();
        gateway.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"responses", "instances", "files"})
    void anInvalidChunkSizeIs400(String route) throws Exception {
        String answer = exchange(route, "Transfer-Encoding: chunked", "5\r\n{\"inp\r\nzz\r\nut\":\"x\"}\r\n0\r\n\r\n");
        assertRefusedAsBroken(answer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"responses", "instances", "files"})
    void aBodyCutShortOfItsContentLengthIs400(String route) throws Exception {
        String answer = exchange(route, "Content-Length: 100", "{\"input\":\"only part of");
        assertRefusedAsBroken(answer);
    }

    private void assertRefusedAsBroken(String answer) throws IOException {
        assertThat(answer).startsWith("HTTP/1.1 400 ");
        assertThat(JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("detail").asText()).isEqualTo(DETAIL);
        assertThat(gateway.requestCount()).isZero();
        // The serving side only: the provisioner, which has no OpenClaw to run here, has its own complaints.
        List<ILoggingEvent> troubling = logs.list.stream()
                .filter(event -> !event.getLoggerName().startsWith("chowder.adapter.openclaw"))
                .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN) || event.getThrowableProxy() != null).toList();
        assertThat(troubling).as("the client's fault: no warning, no error, no stack trace").isEmpty();
    }

    /**
     * Sends a request whose body is {@code body} as written (framed by {@code framing}), then shuts the socket's output
     * (the client sends nothing more but still reads) and returns the whole answer.
     */
    private String exchange(String route, String framing, String body) throws IOException {
        String[] methodAndPath = routes.get(route).split(" ");
        try (Socket socket = new Socket("127.0.0.1", chowder.port())) {
            socket.setSoTimeout(10_000);
            String request = methodAndPath[0] + " " + methodAndPath[1] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n" + body;
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
