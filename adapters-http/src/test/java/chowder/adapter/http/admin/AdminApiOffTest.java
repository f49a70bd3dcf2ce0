package chowder.adapter.http.admin;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.RoutesHarness;
import chowder.application.service.RecordingGateway;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Without CHOWDER_ADMIN_TOKEN the admin API does not exist: every path under it is a plain 404, with or without a credential. */
class AdminApiOffTest {
    private final RoutesHarness api = RoutesHarness.withoutAdminApi(new RecordingGateway());

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void everyAdminPathIsAPlain404() throws Exception {
        String acmeKey = api.organizationKey("Acme");
        for (String[] route : AdminAuthenticationTest.ROUTES) {
            for (String credential : new String[] {null, RoutesHarness.ADMIN_TOKEN, acmeKey, "wrong"}) {
                HttpResponse<String> answer = api.send(route[0], route[1], credential, route[2]);
                assertThat(answer.statusCode()).as(route[0] + " " + route[1]).isEqualTo(404);
                assertThat(answer.body()).isEqualTo("{\"detail\":\"Not found.\"}");
                assertThat(answer.headers().firstValue("WWW-Authenticate")).isEmpty();
            }
        }
        assertThat(api.send("GET", "/v1/admin", null, null).statusCode()).isEqualTo(404);
        assertThat(api.send("GET", "/v1/organization", acmeKey, null).statusCode()).isEqualTo(200);
    }
}
