package chowder.adapter.http;

import chowder.application.service.RecordingGateway;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The HTTP adapter through a real Javalin server on a random port, over the real use cases and in-memory stores
 * ({@link RoutesHarness}), with the organizations Acme and Globex; the gateway behind the responses routes is scripted.
 */
public abstract class ApiTest {
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final long MAX_BODY = RoutesHarness.MAX_BODY;

    protected final RecordingGateway gateway = new RecordingGateway();
    protected RoutesHarness api;
    protected String acmeKey;
    protected String globexKey;

    @BeforeEach
    void startServer() {
        api = new RoutesHarness(gateway);
        acmeKey = api.organizationKey("Acme");
        globexKey = api.organizationKey("Globex");
    }

    @AfterEach
    void stopServer() {
        api.close();
    }

    protected HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return api.send(method, path, key, body);
    }

    /** A POST with Acme's key whose body has no declared length (sent in chunks). */
    protected HttpResponse<String> sendChunked(String path, byte[] body) throws Exception {
        return api.sendChunked(path, acmeKey, body);
    }

    /** Registers an instance with {@code key}; its id. */
    protected String register(String key) throws Exception {
        return api.register(key);
    }

    protected static String detail(HttpResponse<String> response) throws Exception {
        return RoutesHarness.detail(response);
    }
}
