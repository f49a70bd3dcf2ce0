package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import chowder.domain.InstanceId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalGatewayProvisionerTest {
    @TempDir
    Path dataDir;

    @Test
    void aDeletedInstancesDirectoryIsRemovedWhateverItsAgentLeftInIt() throws Exception {
        ProvisionerConfig defaults = ProvisionerConfig.disabled(dataDir);
        ProvisionerConfig config = new ProvisionerConfig(true, Optional.of(dataDir.resolve("no-openclaw")), defaults.installRoot(),
                defaults.openclawVersion(), defaults.nodeVersion(), defaults.instancesDir(), dataDir.resolve("runtime"), Duration.ZERO, defaults.readyTimeout(),
                defaults.maxRestartBackoff(), ModelProviders.HOSTED_ONLY, defaults.maxFileBytes(), defaults.maxListEntries(), SandboxConfig.defaults());
        InstanceId id = InstanceId.random();
        InstanceDirectory directory = InstanceDirectory.of(config.instancesDir(), id).create();
        Path outside = Files.writeString(dataDir.resolve("master.key"), "not the agent's", UTF_8);
        Files.createSymbolicLink(directory.workspace().resolve("link-out"), outside);
        Files.createSymbolicLink(directory.workspace().resolve("dir-out"), dataDir);
        // Deeper than a path can name (PATH_MAX is 4096): only a walk by descriptors gets through it.
        Process deep = new ProcessBuilder("/bin/sh", "-c", "cd \"$0\" && for i in $(seq 1 30); do d=$(printf 'd%.0s' $(seq 1 200)); "
                + "mkdir \"$d\" && cd -P \"$d\" || exit 1; done; echo bottom > file", directory.workspace().toString()).inheritIO().start();
        assertThat(deep.waitFor()).isZero();
        Path runtime = Files.createDirectories(dataDir.resolve("runtime/" + id));
        Files.writeString(runtime.resolve("openclaw.json"), "{\"skills\": \"with secrets\"}", UTF_8);

        try (LocalGatewayProvisioner provisioner = new LocalGatewayProvisioner(config, Map.of(), new SecureRandom(), Clock.systemUTC())) {
            provisioner.remove(id);
        }

        assertThat(directory.root()).doesNotExist();
        assertThat(runtime).as("its config, skill secrets included").doesNotExist();
        assertThat(outside).hasContent("not the agent's");
        assertThat(dataDir).isDirectory();
    }
}
