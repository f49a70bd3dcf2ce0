package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxPaths;
import java.nio.file.Path;

/**
 * Where a gateway finds its runtime, config, state, workspace and home, as the gateway itself sees them: the host's
 * paths when it runs unconfined, {@link SandboxPaths} inside a sandbox. Its config and environment name these.
 */
record GatewayLayout(Path runtimeHome, Path config, Path state, Path workspace, Path home) {
    GatewayLayout {
        requireNonNull(runtimeHome, "runtimeHome is null");
        requireNonNull(config, "config is null");
        requireNonNull(state, "state is null");
        requireNonNull(workspace, "workspace is null");
        requireNonNull(home, "home is null");
    }

    /** The name of the config file in its directory. */
    static final String CONFIG_FILE = "openclaw.json";

    /** An unconfined gateway's layout: the instance's directories, its config in {@code configDirectory}. */
    static GatewayLayout onHost(Path runtimeHome, InstanceDirectory directory, Path configDirectory) {
        return new GatewayLayout(runtimeHome, configDirectory.resolve(CONFIG_FILE), directory.state(), directory.workspace(),
                directory.home());
    }

    static GatewayLayout inSandbox() {
        return new GatewayLayout(SandboxPaths.RUNTIME, SandboxPaths.CONFIG, SandboxPaths.STATE, SandboxPaths.WORKSPACE, SandboxPaths.HOME);
    }

    OpenClawInstall.Runtime runtime() {
        return new OpenClawInstall.Runtime(runtimeHome);
    }

    /** OpenClaw's own log file, in its state (its default is shared by every gateway on the host). */
    Path openClawLog() {
        return state.resolve("openclaw.log");
    }
}
