package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Escapes to secrets ({@link SandboxEscapeTestBase}): no agent reads Chowder's data or the other organization's files,
 * sees the processes or environment of Chowder or the other gateway, or finds the other organization's skill secret.
 */
class SandboxEscapeSecretsTest extends SandboxEscapeTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void noAgentReadsChowdersDataOrTheOtherOrganizationsFiles() throws IOException {
        Path data = chowder.dataDirectory();
        String masterKey = Files.readString(data.resolve("master.key"), UTF_8).strip();
        Map<SandboxTenant, String> outputs = both(tenant -> {
            SandboxTenant other = tenant == acme ? globex : acme;
            Path otherWorkspace = instance(other).directory().resolve("workspace");
            return shell(tenant, "ls " + data + "; cat " + data.resolve("master.key") + " " + data.resolve("chowder.mv.db") + "; cat "
                    + otherWorkspace.resolve("private/secret.txt") + "; ls /instance/..; ls /root /home /var 2>&1; "
                    + "find / \\( -path /proc -o -path /usr -o -path /opt \\) -prune -o \\( -name secret.txt -o -name master.key "
                    + "-o -name 'chowder.*.db' \\) -print 2>/dev/null; echo END");
        });
        for (SandboxTenant tenant : List.of(acme, globex)) {
            SandboxTenant other = tenant == acme ? globex : acme;
            String output = outputs.get(tenant);
            assertThat(output).contains("No such file or directory", "END")
                    .doesNotContain(masterKey)
                    .doesNotContain(other.secret())
                    .doesNotContain("chowder.mv.db\n");
            // Its own secret is where it left it, and the only one it finds.
            assertThat(output.lines().filter(line -> line.endsWith("secret.txt")).toList()).containsExactly("/instance/workspace/private/secret.txt");
        }
    }

    @Test
    void noAgentSeesTheProcessesOrEnvironmentOfChowderOrTheOtherGateway() {
        ProcessHandle chowderProcess = ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(List::of).orElse(List.of()).contains("serve")
                        && process.info().commandLine().orElse("").contains(chowder.dataDirectory().toString()))
                .findFirst().orElseThrow();
        String acmeToken = SandboxedInstance.environment(instance(acme).gateway()).get("OPENCLAW_GATEWAY_TOKEN");
        String globexToken = SandboxedInstance.environment(instance(globex).gateway()).get("OPENCLAW_GATEWAY_TOKEN");
        assertThat(acmeToken).isNotBlank();
        Map<SandboxTenant, String> outputs = both(tenant -> {
            ProcessHandle otherGateway = instance(tenant == acme ? globex : acme).gateway();
            return shell(tenant, "ls /proc | grep -cE '^[0-9]+$'; cat /proc/" + chowderProcess.pid() + "/environ; cat /proc/"
                    + otherGateway.pid() + "/environ; for p in /proc/[0-9]*; do cat $p/environ 2>/dev/null; echo; done | tr '\\0' '\\n' "
                    + "| grep -E '^(CHOWDER_|OPENCLAW_GATEWAY_TOKEN)' | sort -u; ps -eo user,pid,comm");
        });
        for (SandboxTenant tenant : List.of(acme, globex)) {
            String output = outputs.get(tenant);
            assertThat(Integer.parseInt(output.lines().findFirst().orElseThrow().strip())).isLessThan(30);
            assertThat(output).doesNotContain("CHOWDER_").doesNotContain("java");
            assertThat(output).doesNotContain(tenant == acme ? globexToken : acmeToken);
        }
    }

    @Test
    void oneOrganizationsSkillSecretReachesItsOwnGatewayAndNoOtherAgent() {
        String secret = "desk-token-" + UUID.randomUUID();
        HttpResponse<String> installed = api.post("/v1/instances/" + acme.instance() + "/skills/install", acme.key(),
                JSON.createObjectNode().put("slug", "desk").set("env", JSON.createObjectNode().put("DESK_TOKEN", secret)).toString());
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        assertThat(installed.body()).doesNotContain(secret);

        assertThat(shell(acme, "cat /instance/config/openclaw.json")).contains(secret);
        // Every config it can find, and every environment it can see, printed (the command does not name the secret).
        String search = shell(globex, "find / -path /proc -prune -o -name openclaw.json -print 2>/dev/null | xargs cat; "
                + "cat /dev/shm/chowder-*/*/openclaw.json 2>&1; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'; echo END");
        assertThat(search).contains("END", "No such file or directory").doesNotContain(secret).doesNotContain("DESK_TOKEN");
    }
}
