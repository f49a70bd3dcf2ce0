package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an agent legitimately does with its files ({@link SandboxEscapeTestBase}): they are its own, both ways through
 * the files API, and what it leaves behind to trap Chowder is refused.
 */
class SandboxEscapeFilesTest extends SandboxEscapeTestBase {
    @Test
    void anAgentsFilesAreItsOwnThroughTheFilesApiBothWays() {
        String files = "/v1/instances/" + acme.instance() + "/files";
        String written = shell(acme, "mkdir -p /instance/workspace/reports && echo 'written by the agent' > /instance/workspace/reports/today.txt "
                + "&& cat /instance/workspace/private/secret.txt && echo ' and changed by it' >> /instance/workspace/private/secret.txt && echo DONE");
        assertThat(written).contains(acme.secret(), "DONE");
        HttpResponse<String> report = api.get(files + "/content?path=reports%2Ftoday.txt", acme.key());
        assertThat(ChowderApi.json(report.body()).path("content").asText()).isEqualTo("written by the agent\n");
        assertThat(ChowderApi.json(api.get(files + "/content?path=private%2Fsecret.txt", acme.key()).body()).path("content").asText())
                .isEqualTo(acme.secret() + " and changed by it\n");
        assertThat(api.get("/v1/instances/" + acme.instance() + "/files/content?path=reports%2Ftoday.txt", globex.key()).statusCode()).isEqualTo(404);
        // What the agent leaves behind to trap Chowder is refused, and nobody waits for it.
        shell(acme, "mkfifo /instance/workspace/trap && ln -s /instance/config/openclaw.json /instance/workspace/config-link && ln -s ../../ /instance/workspace/up");
        for (String path : List.of("trap", "trap", "config-link", "up%2Fopenclaw.json")) {
            assertThat(api.get(files + "/content?path=" + path, acme.key()).statusCode()).as(path).isEqualTo(400);
        }
    }
}
