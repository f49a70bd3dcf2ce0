package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayUrlTest {

    @Test
    void derivesTheResponsesEndpoint() {
        assertThat(GatewayUrl.of("http://127.0.0.1:18789").responsesEndpoint()).hasToString("http://127.0.0.1:18789/v1/responses");
        assertThat(GatewayUrl.of("HTTPS://gw.example.com/tenant-a/").responsesEndpoint())
                .hasToString("https://gw.example.com/tenant-a/v1/responses");
        assertThat(GatewayUrl.of("http://[::1]:9000").responsesEndpoint()).hasToString("http://[::1]:9000/v1/responses");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "ftp://host", "file:///etc/passwd", "127.0.0.1:8080", "http://", "http:///path",
            "http://user:pw@host", "http://host?x=1", "http://host#frag", "not a url"})
    void rejectsWhatIsNotAnHttpUrlWithAHost(String raw) {
        assertThatThrownBy(() -> GatewayUrl.of(raw))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED))
                .hasMessageContaining("gateway_url");
    }

    @Test
    void gatewayTokensNeverPrintThemselvesNorAppearInErrors() {
        assertThat(new GatewayToken("s3cret-token").toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> new GatewayToken("s3cret token")).message().doesNotContain("s3cret");
    }
}
