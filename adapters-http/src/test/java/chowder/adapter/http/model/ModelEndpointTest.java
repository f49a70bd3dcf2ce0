package chowder.adapter.http.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.ModelApi;
import chowder.domain.ModelApiKey;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Chowder's model endpoint on a real Jetty listener, relaying to a scripted provider on loopback, for one instance of one organization. */
abstract class ModelEndpointTest {
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final String CREDENTIAL = "chm_gateway-of-instance-a";
    protected static final ModelApiKey ORG_KEY = new ModelApiKey("sk-org-a-secret");
    protected static final ModelApiKey OPERATOR_KEY = new ModelApiKey("sk-operator-shared-secret");
    protected static final OrganizationId ORGANIZATION = new OrganizationId(UUID.randomUUID());
    protected static final InstanceId INSTANCE = InstanceId.random();
    protected static final Duration WAIT = Duration.ofSeconds(20);

    protected final ScriptedProvider provider = new ScriptedProvider();
    protected final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    protected final List<ModelTokens> metered = new CopyOnWriteArrayList<>();
    protected final List<Long> estimates = new CopyOnWriteArrayList<>();
    protected final List<String> meteringThreads = new CopyOnWriteArrayList<>();
    protected final HttpClient gateway = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    protected volatile ModelApi api = ModelApi.OPENAI_COMPLETIONS;
    protected volatile URI providerBase;
    protected volatile Account account = Account.ORGANIZATION;
    protected volatile RuntimeException refusal;
    protected ModelEndpointServer endpoint;
    /** What the calls' bodies are held under. */
    protected chowder.domain.MemoryBudget heldBodies;

    ModelEndpointTest() throws Exception {}

    @BeforeEach
    void start() throws Exception {
        providerBase = provider.baseUrl("/v1");
        AuthorizeModelCallUseCase calls = (credential, name) -> {
            if (!CREDENTIAL.equals(credential)) {
                throw new ChowderException(ErrorCode.INVALID_API_KEY, "Unknown model credential.");
            }
            Optional<ModelApiKey> key = Optional.of(account == Account.ORGANIZATION ? ORG_KEY : OPERATOR_KEY);
            return new ModelCallGrant(ORGANIZATION, INSTANCE, providerBase, api, Set.of("m1"), key, account, estimate -> {
                if (refusal != null) {
                    throw refusal;
                }
                estimates.add(estimate);
                return tokens -> {
                    meteringThreads.add(Thread.currentThread().getName());
                    metered.add(tokens);
                };
            });
        };
        // Two calls at once per instance; 4096 output tokens assumed for a call that names no maximum.
        heldBodies = chowder.adapter.http.JsonBodies.heldBodies(heldBodiesMax(), heldBodiesMax() / 2);
        endpoint = TestEndpoint.started(64 * 1024, 1024 * 1024, 2, calls, registry, headerTimeout(), minBodyBytesPerSecond(), heldBodies);
    }

    /** The bytes all calls' bodies may hold at once (an organization half of it): plenty unless a test says otherwise. */
    protected long heldBodiesMax() {
        return 1L << 30;
    }

    /** How long a connection may take to send a request's headers: the API listener's default unless a test says otherwise. */
    protected Duration headerTimeout() {
        return chowder.adapter.http.HttpServerConfig.DEFAULT_HEADER_TIMEOUT;
    }

    /** The slowest rate a call's body may arrive at, after its grace: the default unless a test says otherwise. */
    protected long minBodyBytesPerSecond() {
        return chowder.adapter.http.HttpServerConfig.DEFAULT_MIN_BODY_BYTES_PER_SECOND;
    }

    @AfterEach
    void stop() throws Exception {
        endpoint.stop();
        provider.close();
    }

    /** Sends a call that the provider answers 200, and returns the body the provider received. */
    protected String upstreamBodyOf(String path, String body) throws Exception {
        if (provider.answerStatus() != 200) {
            provider.answer(ScriptedProvider.Answer.json(200, "{}"), false);
        }
        HttpResponse<String> response = gateway.send(call(path, body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return provider.nextCall(WAIT).body();
    }

    protected HttpRequest.Builder anthropicCall(String body) {
        return HttpRequest.newBuilder(endpoint.uri().resolve("/providers/anthropic/v1/messages"))
                .header("x-api-key", CREDENTIAL)
                .header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    protected HttpRequest.Builder call(String path, String body) {
        return HttpRequest.newBuilder(endpoint.uri().resolve(path))
                .header("Authorization", "Bearer " + CREDENTIAL)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    protected HttpResponse<String> assertRefused(HttpRequest request, int status, String detail) throws Exception {
        HttpResponse<String> response = gateway.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("detail").asText()).contains(detail);
        // OpenAI's and Anthropic's clients read error.message: the gateway's agent sees why.
        assertThat(body.at("/error/message").asText()).isEqualTo(body.path("detail").asText());
        assertThat(response.body()).doesNotContain(ORG_KEY.value());
        return response;
    }

    /** The meter is told after the last byte went out, off the relay's threads: a moment after the gateway read it. */
    protected void awaitMetered() throws InterruptedException {
        awaitMetered(1);
    }

    protected void awaitMetered(int calls) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (metered.size() < calls && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
