package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Checks that gateways run side by side with separate state and leave no process behind. */
@Timeout(360)
class GatewayLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void gatewaysStartedTogetherKeepSeparateSessionsAndStopCompletely() throws Exception {
        try (ScriptedModelServer model = ScriptedModelServer.start()) {
            List<OpenClawGateway> gateways = startTogether(model, 2);
            Set<ProcessHandle> processes = new HashSet<>();
            try {
                for (OpenClawGateway gateway : gateways) {
                    assertThat(reply(gateway, "hello").turns()).isEqualTo(1);
                    processes.addAll(gateway.processes());
                }
                assertThat(gateways.get(0).baseUrl()).isNotEqualTo(gateways.get(1).baseUrl());
                assertThat(gateways.get(0).directory()).isNotEqualTo(gateways.get(1).directory());
                assertThat(processes).hasSizeGreaterThan(gateways.size());
            } finally {
                gateways.forEach(OpenClawGateway::close);
            }

            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            gateways.getFirst().close();
        }
    }

    private static List<OpenClawGateway> startTogether(ScriptedModelServer model, int count) {
        List<CompletableFuture<OpenClawGateway>> starts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            starts.add(CompletableFuture.supplyAsync(() -> OpenClawGateway.start(model)));
        }
        List<OpenClawGateway> started = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<OpenClawGateway> start : starts) {
            try {
                started.add(start.join());
            } catch (CompletionException e) {
                failure = e;
            }
        }
        if (failure != null) {
            started.forEach(OpenClawGateway::close);
            throw failure;
        }
        return started;
    }

    private ScriptedReply reply(OpenClawGateway gateway, String input) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway.baseUrl().resolve("/v1/responses"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + gateway.token())
                        .header("Content-Type", "application/json")
                        .header("x-openclaw-session-key", "chowder-0-same-key")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.createObjectNode().put("model", "openclaw").put("input", input).toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ScriptedReply.parse(JSON.readTree(response.body()).at("/output/0/content/0/text").asText());
    }
}
