package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void aCommandRunWithoutTheServersDataDirectoryRefusesInsteadOfCreatingAnotherDatabase() throws Exception {
        Path elsewhere = Files.createDirectories(dataDir.resolve("elsewhere"));
        try (RunningChowder server = new RunningChowder(dataDir.resolve("server"), Map.of())) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "org", "create", "--name", "Initech");
            builder.environment().keySet().removeIf(name -> name.startsWith("CHOWDER_"));
            builder.directory(elsewhere.toFile());
            builder.redirectOutput(dataDir.resolve("stdout").toFile()).redirectError(dataDir.resolve("stderr").toFile());
            Process process = builder.start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

            String stderr = Files.readString(dataDir.resolve("stderr"));
            assertThat(process.exitValue()).as(stderr).isEqualTo(2);
            assertThat(stderr).contains("chowder: configuration error: there is no Chowder database at jdbc:h2:file:" + elsewhere.resolve("data"),
                    "CHOWDER_DATA_DIR", "CHOWDER_DATABASE_URL");
            assertThat(stderr.lines().filter(line -> line.startsWith("chowder:"))).hasSize(1);
            assertThat(dataDir.resolve("stdout")).isEmptyFile();
            assertThat(elsewhere).isEmptyDirectory();
        }
    }

    @Test
    void everyAdminCommandRefusesADataDirectoryWithoutADatabaseAndCreatesNothing() throws Exception {
        Path empty = Files.createDirectories(dataDir.resolve("empty"));
        Map<String, String> env = Map.of("CHOWDER_DATA_DIR", empty.toString(), "CHOWDER_GATEWAY_TOKEN", "t");
        String id = java.util.UUID.randomUUID().toString();
        List<String[]> commands = List.of(new String[] {"org", "create", "--name", "Acme"}, new String[] {"org", "list"},
                new String[] {"org", "suspend", "--org", id}, new String[] {"org", "key", "--org", id}, new String[] {"org", "plan", "--org", id},
                new String[] {"key", "create", "--org", id, "--name", "ci"}, new String[] {"key", "list", "--org", id},
                new String[] {"key", "revoke", id}, new String[] {"instance", "add", "--org", id, "--name", "a", "--gateway-url", "http://127.0.0.1:1"},
                new String[] {"instance", "list"}, new String[] {"instance", "remove", id}, new String[] {"master-key", "rotate"});
        for (String[] command : commands) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertThat(Main.run(command, env, new PrintWriter(out), new PrintWriter(err))).as(String.join(" ", command)).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", command))
                    .startsWith("chowder: configuration error: there is no Chowder database at jdbc:h2:file:" + empty.resolve("chowder"))
                    .contains("CHOWDER_DATA_DIR=" + empty, "CHOWDER_DATABASE_URL");
            assertThat(out.toString()).isEmpty();
            assertThat(empty).as(String.join(" ", command)).isEmptyDirectory();
        }
    }

    @Test
    void commandsRefuseADatabaseThatWasNeverMigrated() throws Exception {
        Path unmigrated = Files.createDirectories(dataDir.resolve("unmigrated"));
        chowder.adapter.persistence.EmbeddedH2.listenOnLoopbackOnly();
        java.sql.DriverManager.getConnection("jdbc:h2:file:" + unmigrated.resolve("chowder"), "sa", "").close();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"org", "list"}, Map.of("CHOWDER_DATA_DIR", unmigrated.toString()), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("is empty (no organizations table)", "CHOWDER_DATA_DIR", "CHOWDER_DATABASE_URL");
        assertThat(unmigrated.resolve("master.key")).doesNotExist();
    }

    @Test
    void commandsRefuseAnEmptyPostgresSchemaOrAMissingDatabaseAndNeverCreateAMasterKey() throws Exception {
        String server = PostgresSchemas.SERVER;
        try (PostgresSchemas schemas = new PostgresSchemas()) {
            String emptySchema = schemas.create();
            Map<String, String> env = Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_DATABASE_URL", server + "?currentSchema=" + emptySchema,
                    "CHOWDER_DATABASE_USER", "postgres");
            StringWriter err = new StringWriter();
            assertThat(Main.run(new String[] {"org", "list"}, env, new PrintWriter(new StringWriter()), new PrintWriter(err))).isEqualTo(2);
            assertThat(err.toString()).contains("the database at " + server + "?currentSchema=" + emptySchema + " (CHOWDER_DATABASE_URL) is empty");

            String missing = server.substring(0, server.lastIndexOf('/') + 1) + "chowder_missing_" + emptySchema;
            err = new StringWriter();
            assertThat(Main.run(new String[] {"org", "list"}, Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_DATABASE_URL", missing,
                    "CHOWDER_DATABASE_USER", "postgres"), new PrintWriter(new StringWriter()), new PrintWriter(err))).isEqualTo(2);
            assertThat(err.toString()).contains("there is no Chowder database at " + missing + " (CHOWDER_DATABASE_URL)");

            // A store served with CHOWDER_MASTER_KEY: a command without it finds no key, and makes none.
            String schema = schemas.create();
            Map<String, String> served = Map.of("CHOWDER_DATABASE_URL", server + "?currentSchema=" + schema, "CHOWDER_DATABASE_USER", "postgres",
                    "CHOWDER_MASTER_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
            new RunningChowder(dataDir.resolve("server"), served).close();
            Map<String, String> withoutKey = new java.util.HashMap<>(served);
            withoutKey.remove("CHOWDER_MASTER_KEY");
            withoutKey.put("CHOWDER_DATA_DIR", dataDir.resolve("cli").toString());
            err = new StringWriter();
            assertThat(Main.run(new String[] {"org", "list"}, withoutKey, new PrintWriter(new StringWriter()), new PrintWriter(err))).isEqualTo(2);
            assertThat(err.toString()).contains("no master key: CHOWDER_MASTER_KEY is not set and " + dataDir.resolve("cli/master.key")
                    + " does not exist");
            assertThat(dataDir.resolve("cli/master.key")).doesNotExist();
        }
    }

    /** A store made by the server, as an operator has it before running commands. */
    private static void servedOnce(Path dataDir) throws Exception {
        new RunningChowder(dataDir, Map.of()).close();
    }

    @Test
    void operatorsManageInstancesAndRotateTheMasterKeyFromTheCommandLine() throws Exception {
        servedOnce(dataDir);
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
        servedOnce(dataDir);
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

    static String run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, env, new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as(String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }

    @Test
    void theCommandLineExplainsItself() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Main.run(new String[] {"help"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true))).isZero();
        assertThat(out.toString()).contains("serve", "Create, list, rename, suspend and resume organizations", "Create, list and revoke API keys",
                "Register, list and remove instances", "Re-encrypt", "Install the pinned Node");

        StringWriter serveHelp = new StringWriter();
        assertThat(Main.run(new String[] {"serve", "--help"}, Map.of(), new PrintWriter(serveHelp, true), new PrintWriter(err, true))).isZero();
        assertThat(serveHelp.toString()).contains("CHOWDER_DATA_DIR", "CHOWDER_HTTP_PORT", "CHOWDER_SKILLS_CATALOG", "CHOWDER_SANDBOX_MEMORY");

        StringWriter unknown = new StringWriter();
        assertThat(Main.run(new String[] {"org", "--bogus"}, Map.of(), new PrintWriter(new StringWriter(), true), new PrintWriter(unknown, true)))
                .isEqualTo(2);
        assertThat(unknown.toString()).contains("Unknown option: '--bogus'");
    }

    @Test
    void theOperatorSetsAnOrganizationsPlanAndTheServerAppliesIt() throws Exception {
        servedOnce(dataDir);
        Map<String, String> env = Map.of("CHOWDER_DATA_DIR", dataDir.toString());
        JsonNode org = JSON.readTree(run(env, "org", "create", "--name", "Acme"));
        String orgId = org.path("organization").path("id").asText();
        String key = org.path("api_key").asText();
        assertThat(JSON.readTree(run(env, "org", "plan", "--org", orgId)).toString()).isEqualTo("{\"organization_id\":\"" + orgId
                + "\",\"subscription_tier\":\"self-hosted\",\"instance_limit\":null,\"limits\":{\"tokens_per_day\":null,"
                + "\"tokens_per_month\":null,\"requests_per_minute\":null},\"operator_model_keys\":null}");

        JsonNode plan = JSON.readTree(run(env, "org", "plan", "--org", orgId, "--tier", "team", "--instance-limit", "2",
                "--tokens-per-day", "50000", "--requests-per-minute", "60", "--operator-model-keys", "no"));
        assertThat(plan.path("subscription_tier").asText()).isEqualTo("team");
        assertThat(plan.path("instance_limit").asInt()).isEqualTo(2);
        assertThat(plan.at("/limits/tokens_per_day").asLong()).isEqualTo(50_000);
        assertThat(plan.path("operator_model_keys").isBoolean()).isTrue();
        assertThat(plan.path("operator_model_keys").asBoolean()).isFalse();
        // What is not given stays; "none" removes a limit.
        JsonNode changed = JSON.readTree(run(env, "org", "plan", "--org", orgId, "--requests-per-minute", "none"));
        assertThat(changed.at("/limits/requests_per_minute").isNull()).isTrue();
        assertThat(changed.at("/limits/tokens_per_day").asLong()).isEqualTo(50_000);
        assertThat(changed.path("subscription_tier").asText()).isEqualTo("team");

        StringWriter err = new StringWriter();
        assertThat(Main.run(new String[] {"org", "plan", "--org", orgId, "--operator-model-keys", "maybe"}, env, new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("--operator-model-keys must be yes, no or default, not maybe");
        // Beyond a billion a minute the shared counters cannot refill the allowance: every turn was a 500.
        StringWriter tooFast = new StringWriter();
        assertThat(Main.run(new String[] {"org", "plan", "--org", orgId, "--requests-per-minute", "60000000001"}, env,
                new PrintWriter(new StringWriter(), true), new PrintWriter(tooFast, true))).isEqualTo(2);
        assertThat(tooFast.toString()).contains("--requests-per-minute must be a whole number from 0 to 1000000000, not 60000000001");
        StringWriter missing = new StringWriter();
        assertThat(Main.run(new String[] {"org", "plan", "--org", java.util.UUID.randomUUID().toString(), "--tier", "x"}, env,
                new PrintWriter(new StringWriter(), true), new PrintWriter(missing, true))).isEqualTo(1);
        assertThat(missing.toString()).contains("not found");

        try (RunningChowder chowder = new RunningChowder(dataDir, Map.of())) {
            JsonNode shown = JSON.readTree(chowder.send("GET", "/v1/organization", key, null).body());
            assertThat(shown.path("subscription_tier").asText()).isEqualTo("team");
            assertThat(shown.path("instance_limit").asInt()).isEqualTo(2);
            assertThat(shown.at("/limits/tokens_per_day").asLong()).isEqualTo(50_000);
        }
    }

    @Test
    void listingTheKeysOfAnOrganizationThatDoesNotExistSaysSo() throws Exception {
        servedOnce(dataDir);
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"key", "list", "--org", java.util.UUID.randomUUID().toString()}, Map.of("CHOWDER_DATA_DIR", dataDir.toString()),
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("chowder: Organization not found.");
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
    void anInvalidOrganizationNameIsRefused() throws Exception {
        servedOnce(dataDir);
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"org", "create", "--name", " "}, Map.of("CHOWDER_DATA_DIR", dataDir.toString()),
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("name is required");
    }
}
