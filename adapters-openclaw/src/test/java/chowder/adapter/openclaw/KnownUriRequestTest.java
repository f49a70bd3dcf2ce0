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
        assertThat(request.getHost()).isEqualTo("127.0.0.1");
        assertThat(request.getPort()).isEqualTo(18789);

        request.path("/elsewhere");
        assertThat(request.getURI()).isEqualTo(URI.create("http://127.0.0.1:18789/elsewhere"));
        KnownUriRequest queried = new KnownUriRequest(http, endpoint);
        queried.param("a", "b");
        assertThat(queried.getURI()).isEqualTo(URI.create("http://127.0.0.1:18789/v1/responses?a=b"));
    }

    @Test
    void itsUriIsAlwaysTheOneJettyWouldBuildSoTheHostHeaderIsUnchanged() {
        for (String endpoint : new String[] {"http://127.0.0.1:18789/v1/responses", "http://gw/v1/responses", "http://gw:80/v1/responses",
                "https://gw:443/v1/responses", "https://gw:8443/v1/responses", "http://GW.example:8080/v1/responses",
                "http://[::1]:18789/v1/responses", "http://gw/a%2Fb/v1/responses?x=1"}) {
            URI uri = URI.create(endpoint);
            assertThat(new KnownUriRequest(http, uri).getURI()).as(endpoint).isEqualTo(http.newRequest(uri).getURI());
        }
    }
}
