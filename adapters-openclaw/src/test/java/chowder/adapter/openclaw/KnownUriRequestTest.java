package chowder.adapter.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;

class KnownUriRequestTest {
    private final HttpClient http = GatewayHttpClients.create(OpenClawGatewayConfig.defaults());

    @Test
    void itsUriIsTheOneItWasMadeFromUntilItsPathOrQueryChanges() {
        URI endpoint = URI.create("http://127.0.0.1:18789/v1/responses");
        KnownUriRequest request = new KnownUriRequest(http, endpoint);
        assertThat(request.getURI()).isSameAs(endpoint);
        // Jetty makes the same request, and the same URI, from it.
        assertThat(http.newRequest(endpoint).getURI()).isEqualTo(endpoint);
        assertThat(request.getHost()).isEqualTo("127.0.0.1");
        assertThat(request.getPort()).isEqualTo(18789);

        request.path("/elsewhere");
        assertThat(request.getURI()).isEqualTo(URI.create("http://127.0.0.1:18789/elsewhere"));
        KnownUriRequest queried = new KnownUriRequest(http, endpoint);
        queried.param("a", "b");
        assertThat(queried.getURI()).isEqualTo(URI.create("http://127.0.0.1:18789/v1/responses?a=b"));
    }
}
