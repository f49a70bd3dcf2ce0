package chowder.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What every route shares: authentication, JSON errors (401, 404, 405, 500) and the unauthenticated probes. */
class EdgeAnswersTest extends ApiTest {
    @Test
    void requestsWithoutAValidKeyAreUnauthorised() throws Exception {
        HttpResponse<String> missing = send("GET", "/v1/instances", null, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(detail(missing)).contains("Missing API key");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));

        HttpResponse<String> malformed = send("GET", "/v1/instances", "chd_org_typo", null);
        assertThat(malformed.statusCode()).isEqualTo(401);
        assertThat(detail(malformed)).isEqualTo("Invalid API key.");
    }

    @Test
    void aKnownPathWithAnotherMethodIs405NamingTheMethodsItHas() throws Exception {
        String id = register(acmeKey);
        HttpResponse<String> put = send("PUT", "/v1/instances", acmeKey, "{}");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).contains("GET, POST");
        assertThat(detail(put)).isEqualTo("Method not allowed: PUT /v1/instances accepts GET, POST.");
        HttpResponse<String> get = send("GET", "/v1/instances/" + id + "/responses", acmeKey, null);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        // An unknown path stays a 404.
        assertThat(send("GET", "/v1/nothing-here", acmeKey, null).statusCode()).isEqualTo(404);
    }

    @Test
    void unexpectedFailuresAreAGeneric500() throws Exception {
        String id = register(acmeKey);
        gateway.failure = new IllegalStateException("internal detail that must not leak");
        HttpResponse<String> response = send("POST", "/v1/instances/" + id + "/responses", acmeKey, "{\"input\":\"hi\"}");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(detail(response)).isEqualTo("Internal server error.");
    }

    @Test
    void healthAndReadinessNeedNoKeyAndReadinessFollowsTheStore() throws Exception {
        assertThat(send("GET", "/healthz", null, null).body()).isEqualTo("{\"status\":\"live\"}");
        assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
        api.ready(false);
        HttpResponse<String> notReady = send("GET", "/readyz", null, null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(detail(notReady)).isEqualTo("Not ready: the database is unreachable.");
        assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAreJson404s() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/nothing-here", acmeKey, null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(detail(response)).startsWith("Not found");
    }
}
