package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.GatewayResponse;
import chowder.application.port.ResponseRequest;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceSettings;
import chowder.domain.OrganizationId;
import chowder.domain.SessionId;
import chowder.domain.SessionKey;
import chowder.testing.FakeOpenClawGateway;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the one shared gateway client keeps between requests and adds to them: nothing that crosses tenants; each call
 * reaches its own gateway through destinations looked up once, also when the client drops idle ones.
 */
class GatewayHttpClientsTest {
    private final OpenClawGatewayConfig config = OpenClawGatewayConfig.defaults();
    private final FakeOpenClawGateway gatewayA = FakeOpenClawGateway.start("token-a");
    private final FakeOpenClawGateway gatewayB = FakeOpenClawGateway.start("token-b");
    private final HttpClient http = GatewayHttpClients.create(config);

    @AfterEach
    void stop() throws Exception {
        http.stop();
        gatewayA.close();
        gatewayB.close();
    }

    @Test
    void aCookieSetByOneGatewayIsNeverSentToAnyGateway() throws Exception {
        http.start();
        OpenClawGatewayClient client = new OpenClawGatewayClient(http, config, new SimpleMeterRegistry());
        OpenClawHealthProbe probe = new OpenClawHealthProbe(http, config.probeTimeout());
        OpenClawSessionAdmin sessions = new OpenClawSessionAdmin(http);
        // Both gateways are on 127.0.0.1: cookies ignore ports, so a cookie jar would hand A's cookie to B.
        gatewayA.answerEveryRequestWithHeader("Set-Cookie", "tenant=a; Path=/");
        gatewayB.answerEveryRequestWithHeader("Set-Cookie", "tenant=b; Path=/");
        Instance a = instance(gatewayA, "token-a");
        Instance b = instance(gatewayB, "token-b");

        client.createResponse(a, key(), request());
        assertThat(probe.probe(a).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
        client.createResponse(b, key(), request());
        client.createResponse(a, key(), request());
        assertThat(probe.probe(b).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(probe.probe(a).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
        sessions.delete(b, key());
        sessions.delete(a, key());

        assertThat(gatewayA.allRequests()).extracting(FakeOpenClawGateway.ReceivedHeaders::path)
                .containsExactly("/v1/responses", "/readyz", "/v1/responses", "/readyz", "/tools/invoke", "/tools/invoke");
        assertThat(gatewayB.allRequests()).extracting(FakeOpenClawGateway.ReceivedHeaders::path)
                .containsExactly("/v1/responses", "/readyz", "/tools/invoke", "/tools/invoke");
        for (FakeOpenClawGateway gateway : List.of(gatewayA, gatewayB)) {
            assertThat(gateway.allRequests()).allSatisfy(received ->
                    assertThat(received.header("Cookie")).as("Cookie header of " + received.path()).isEmpty());
        }
    }

    @Test
    void answersAreNotCompressedOnTheWayEvenWhenTheGatewayCouldCompressThem() throws Exception {
        http.start();
        // Jetty refills its content decoders whenever it starts: the second start must not bring them back.
        http.stop();
        http.start();
        gatewayA.gzipWhenAsked();
        GatewayResponse answer = new OpenClawGatewayClient(http, config, new SimpleMeterRegistry())
                .createResponse(instance(gatewayA, "token-a"), key(), request());
        OpenClawHealthProbe probe = new OpenClawHealthProbe(http, config.probeTimeout());
        assertThat(probe.probe(instance(gatewayA, "token-a")).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();

        assertThat(gatewayA.allRequests()).hasSize(2).allSatisfy(received ->
                assertThat(received.header("Accept-Encoding")).as("Accept-Encoding of " + received.path()).isEmpty());
        assertThat(FakeOpenClawGateway.outputText(new String(answer.bytes(), StandardCharsets.UTF_8)))
                .isEqualTo("turns=1 first=hi instructions=-");
    }

    @Test
    void eachCallReachesItsOwnGatewayOnOneDestinationPerGateway() throws Exception {
        http.start();
        OpenClawGatewayClient client = new OpenClawGatewayClient(http, config, new SimpleMeterRegistry());
        // Two gateways on one host, told apart by their ports only.
        Instance a = instance(gatewayA, "token-a");
        Instance b = instance(gatewayB, "token-b");

        for (Instance instance : List.of(a, b, a, b, a)) {
            GatewayResponse answer = client.createResponse(instance, key(), request());
            assertThat(answer.status()).isEqualTo(200);
        }

        assertThat(gatewayA.received()).hasSize(3).allSatisfy(received ->
                assertThat(received.header("Authorization")).contains("Bearer token-a"));
        assertThat(gatewayB.received()).hasSize(2).allSatisfy(received ->
                assertThat(received.header("Authorization")).contains("Bearer token-b"));
        // Looked up once: the destination Jetty made for each gateway, the same for every later call.
        GatewayDestinations destinations = new GatewayDestinations(http);
        for (Instance instance : List.of(a, b)) {
            URI endpoint = instance.gatewayUrl().responsesEndpoint();
            assertThat(destinations.of(endpoint, http.newRequest(endpoint)))
                    .isSameAs(destinations.of(endpoint, http.newRequest(endpoint)))
                    .isIn(http.getDestinations());
        }
        assertThat(http.getDestinations()).hasSize(2);
    }

    @Test
    void aClientThatRemovesIdleDestinationsStillReachesTheGatewayAfterItsDestinationWasRemoved() throws Exception {
        http.setDestinationIdleTimeout(1_000);
        // Connections go first: a destination is removed only once it holds none.
        http.setIdleTimeout(100);
        http.start();
        OpenClawGatewayClient client = new OpenClawGatewayClient(http, config, new SimpleMeterRegistry());
        Instance a = instance(gatewayA, "token-a");
        assertThat(client.createResponse(a, key(), request()).status()).isEqualTo(200);

        awaitNoDestination(Duration.ofSeconds(30));
        GatewayResponse again = client.createResponse(a, key(), request());

        assertThat(again.status()).isEqualTo(200);
        assertThat(gatewayA.received()).hasSize(2);
    }

    private void awaitNoDestination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!http.getDestinations().isEmpty()) {
            assertThat(System.nanoTime() - deadline).as("the idle destination was never removed").isNegative();
            Thread.sleep(50);
        }
    }

    private static Instance instance(FakeOpenClawGateway gateway, String token) {
        return Instance.register(OrganizationId.random(), "test", GatewayUrl.of(gateway.baseUrl().toString()), new GatewayToken(token),
                InstanceSettings.NONE, Instant.now());
    }

    private static SessionKey key() {
        return SessionKey.forSession(SessionId.of("user-42"), 0);
    }

    private static ResponseRequest request() {
        return new ResponseRequest(Optional.empty(), false, "{\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    }
}
