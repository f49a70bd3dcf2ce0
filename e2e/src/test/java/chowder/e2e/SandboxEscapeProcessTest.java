package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Escapes through processes ({@link SandboxEscapeTestBase}): each agent runs as an unprivileged uid of its own without
 * capabilities, kills or impersonates no other gateway, and {@code kill -9 -1} takes down only its own sandbox.
 */
class SandboxEscapeProcessTest extends SandboxEscapeTestBase {
    @Test
    void eachAgentRunsAsAnUnprivilegedUidOfItsOwnWithoutCapabilities() {
        for (SandboxTenant tenant : List.of(acme, globex)) {
            assertThat(ChowderApi.json(api.get("/v1/instances/" + tenant.instance(), tenant.key()).body()).path("sandbox").asText())
                    .isEqualTo("bubblewrap");
        }
        Map<SandboxTenant, String> status = both(tenant -> shell(tenant, "id -u; grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; "
                + "unshare -U -r true && echo MADE-A-USER-NAMESPACE; "
                + "/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM); print(\"VSOCK OPENED\")'"));
        long acmeUid = Long.parseLong(status.get(acme).lines().findFirst().orElseThrow().strip());
        long globexUid = Long.parseLong(status.get(globex).lines().findFirst().orElseThrow().strip());
        assertThat(acmeUid).isNotEqualTo(globexUid).isNotZero().isEqualTo(instance(acme).uid());
        assertThat(globexUid).isNotZero().isEqualTo(instance(globex).uid());
        for (String output : status.values()) {
            assertThat(output).contains("CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2")
                    .doesNotContain("MADE-A-USER-NAMESPACE").doesNotContain("VSOCK OPENED").contains("Address family not supported");
        }
        assertThat(instance(acme).gateway().info().user()).isNotEqualTo(ProcessHandle.current().info().user());
    }

    @Test
    void noAgentKillsOrImpersonatesTheOtherOrganizationsGateway() {
        ProcessHandle globexGateway = instance(globex).gateway();
        String attack = shell(acme, "kill -9 " + globexGateway.pid() + "; /usr/bin/python3 -c 'import socket; s = socket.socket(); "
                + "s.bind((\"127.0.0.1\", " + port(globex) + ")); s.listen(); print(\"BOUND IN ITS OWN NETWORK\")'");
        assertThat(attack).contains("No such process");
        assertThat(globexGateway.isAlive()).isTrue();
        // Whatever it bound is in its own network: Globex's messages still reach Globex's agent.
        ScriptedReply reply = say(globex, "still mine?");
        assertThat(reply.session()).contains("still-mine");
        assertThat(instance(globex).gateway()).isEqualTo(globexGateway);
    }

    @Test
    void killingEveryProcessItCanReachTakesDownOnlyItsOwnSandbox() throws Exception {
        // A file of the agent's own, which must outlive the kill and the restart.
        assertThat(shell(acme, "mkdir -p /instance/workspace/reports && echo 'written by the agent' > "
                + "/instance/workspace/reports/before-the-kill.txt && echo DONE")).contains("DONE");
        // Handles, not pids: a handle knows its process's start time, so a pid reused meanwhile is not taken for it.
        ProcessHandle globexGateway = instance(globex).gateway();
        ProcessHandle acmeGateway = instance(acme).gateway();
        tenants.requireConfined(acme);
        HttpResponse<String> killed = api.post(ChowderApi.sessionResponsesPath(acme.instance(), "kill-all"), acme.key(),
                TwoSandboxedTenants.message("run " + ModelScript.exec("kill -9 -1")));
        assertThat(killed.statusCode()).as(killed.body()).isIn(200, 502);

        for (int port : List.of(5432, 6379)) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            }
        }
        assertThat(api.get("/healthz", null).statusCode()).isEqualTo(200);
        assertThat(globexGateway.isAlive()).isTrue();
        assertThat(say(globex, "after the other agent killed everything").session()).contains("after-the-other");
        // Its own gateway died with its sandbox; Chowder notices, and restarts it.
        assertThat(acmeGateway.isAlive()).isFalse();
        tenants.awaitStatus(acme, "error");
        api.awaitRunning(acme.key(), acme.instance(), TwoSandboxedTenants.START_TIMEOUT);
        assertThat(shell(acme, "cat /instance/workspace/reports/before-the-kill.txt")).contains("written by the agent");
        assertThat(chowder.log()).doesNotContain(Files.readString(chowder.dataDirectory().resolve("master.key"), UTF_8).strip());
    }
}
