package chowder.adapter.openclaw.provisioner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed seccomp programs are what scripts/sandbox/seccomp-filter.py compiles with libseccomp today. */
class SeccompProgramTest {
    @TempDir
    Path directory;

    @Test
    void committedProgramsAreTheScriptsOutput() throws Exception {
        Path script = repositoryRoot().resolve("scripts/sandbox/seccomp-filter.py");
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            Path compiled = directory.resolve(arch + ".bpf");
            Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), arch, compiled.toString()).inheritIO().start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("the script needs libseccomp's Python binding (Debian: python3-seccomp)").isZero();
            assertThat(SandboxCommand.seccompProgram(arch)).as(arch).hasValueSatisfying(program -> {
                try {
                    assertThat(program).isEqualTo(Files.readAllBytes(compiled));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        assertThat(SandboxCommand.seccompProgram("amd64").orElseThrow()).isEqualTo(SandboxCommand.seccompProgram("x86_64").orElseThrow());
        assertThat(SandboxCommand.seccompProgram("riscv64")).isEmpty();
    }

    private static Path repositoryRoot() {
        Path directory = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(directory.resolve("scripts/sandbox"))) {
            directory = directory.getParent();
        }
        return directory;
    }
}
