package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenClawRuntimeTest {
    @TempDir
    Path directory;

    @Test
    void failsWithTheScriptsOutputWhenTheInstallFails() throws Exception {
        Path script = Files.writeString(directory.resolve("install.sh"), "echo progress\necho 'npm ERR! offline' >&2\nexit 3\n");

        assertThatThrownBy(() -> OpenClawRuntime.install(script))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("progress")
                .hasMessageContaining("npm ERR! offline");
    }

    @Test
    void failsWhenTheScriptNamesADirectoryWithoutAnInstall() throws Exception {
        Path script = Files.writeString(directory.resolve("install.sh"), "echo " + directory + "\n");

        assertThatThrownBy(() -> OpenClawRuntime.install(script))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not an OpenClaw install");
    }

    @Test
    void locatesTheInstallThroughTheModulesScript() {
        OpenClawRuntime runtime = OpenClawRuntime.locate();

        assertThat(runtime.node()).isExecutable();
        assertThat(runtime.openClawEntry()).isRegularFile();
    }
}
