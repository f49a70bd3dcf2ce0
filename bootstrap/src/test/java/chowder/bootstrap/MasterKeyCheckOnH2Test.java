package chowder.bootstrap;

import static chowder.bootstrap.RunningChowder.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The master key's check value on the embedded database: the key that made the store, or no start. */
class MasterKeyCheckOnH2Test {
    @TempDir
    Path dataDir;

    @Test
    void aServerOrCommandWithAnotherKeyRefusesToStartNamingTheVariableAndTheKeyFile() throws Exception {
        new RunningChowder(dataDir, Map.of()).close();
        String otherKey = randomKey();
        assertThatThrownBy(() -> new RunningChowder(dataDir, Map.of("CHOWDER_MASTER_KEY", otherKey)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("the master key in CHOWDER_MASTER_KEY is not the one this database's gateway tokens are encrypted with")
                .message().doesNotContain(otherKey);
        StringWriter err = new StringWriter();
        assertThat(Main.run(new String[] {"org", "list"}, Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_MASTER_KEY", otherKey),
                new PrintWriter(new StringWriter()), new PrintWriter(err))).isEqualTo(2);
        assertThat(err.toString()).startsWith("chowder: configuration error: the master key in CHOWDER_MASTER_KEY is not the one");

        // A store made with CHOWDER_MASTER_KEY, started without it: a new key file is not the store's key.
        Path served = dataDir.resolve("served-with-a-variable");
        new RunningChowder(served, Map.of("CHOWDER_MASTER_KEY", randomKey())).close();
        assertThatThrownBy(() -> new RunningChowder(served, Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("the master key in " + served.resolve("master.key") + " (used because CHOWDER_MASTER_KEY is not set) is not the one")
                .hasMessageContaining("set CHOWDER_MASTER_KEY to the key of the nodes already using this database");
    }

    @Test
    void aRotationByAnotherProcessMakesTheRunningServerNotReadyUntilItRestarts() throws Exception {
        try (RunningChowder server = new RunningChowder(dataDir, Map.of())) {
            assertThat(server.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertThat(Main.run(new String[] {"master-key", "rotate"}, Map.of("CHOWDER_DATA_DIR", dataDir.toString()), new PrintWriter(out),
                    new PrintWriter(err))).as(err.toString()).isZero();
            HttpResponse<String> notReady = server.send("GET", "/readyz", null, null);
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(notReady.body()).path("detail").asText())
                    .startsWith("Not ready: the database's master key changed (another process rotated it)")
                    .doesNotContain(Files.readString(dataDir.resolve("master.key")).strip());
        }
        try (RunningChowder restarted = new RunningChowder(dataDir, Map.of())) {
            assertThat(restarted.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
        }
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
