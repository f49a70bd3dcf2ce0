package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.Sandbox;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxCell;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts an instance's gateway process, in its sandbox or (with the sandbox off) on the host, and runs OpenClaw
 * commands where the gateway runs: each time the runtime (installed on first use), the layout the gateway sees, and
 * its config.
 */
final class GatewayLauncher {
    /**
     * A plugin install's own config, and no npm user settings: the home is the agent's to write, and an {@code .npmrc}
     * planted there must not choose the registry or the package. (npm's global config is the runtime's, read-only in the
     * sandbox; npm refuses one file as both, so only the user config is emptied.)
     */
    private static final Map<String, String> PLUGIN_INSTALL_ENVIRONMENT = Map.of(
            "OPENCLAW_CONFIG_PATH", "/tmp/chowder-plugin-install/openclaw.json",
            "npm_config_userconfig", "/dev/null");

    private final OpenClawInstall install;
    private final Sandbox sandbox;
    private final ChannelsConfig channelsConfig;
    private final ChannelPlugins plugins;
    /** The host's TLS trust settings, passed into every sandbox. */
    private final Map<String, String> hostTrust;
    private final GatewaySettings settings;
    private final GatewaySecrets secrets;

    GatewayLauncher(OpenClawInstall install, Sandbox sandbox, ChannelsConfig channelsConfig, ChannelPlugins plugins,
            Map<String, String> hostTrust, GatewaySettings settings, GatewaySecrets secrets) {
        this.install = requireNonNull(install, "install is null");
        this.sandbox = requireNonNull(sandbox, "sandbox is null");
        this.channelsConfig = requireNonNull(channelsConfig, "channelsConfig is null");
        this.plugins = requireNonNull(plugins, "plugins is null");
        this.hostTrust = Map.copyOf(hostTrust);
        this.settings = requireNonNull(settings, "settings is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    /** One launch: the runtime (installed on first use), the config as the gateway will see it, then the process. */
    GatewayProcess launch(OrganizationId organization, InstanceId id, InstanceDirectory directory, int port, ModelProviders.Selection model,
            URI endpoint, Map<String, String> given, List<EgressRule> egress) throws IOException {
        OpenClawInstall.Runtime runtime = install.locate();
        Path configDirectory = settings.directory(id);
        GatewayLayout layout = layout(runtime, directory, configDirectory);
        GatewayConfigFile configFile = new GatewayConfigFile(configDirectory.resolve(GatewayLayout.CONFIG_FILE), port, layout, model,
                endpoint, channelsConfig, () -> plugins.available(directory));
        List<String> openclaw = openClaw(layout);
        if (!sandbox.confines()) {
            // OpenClaw writes the plugin's record into the config it is given: a throwaway one, not the gateway's.
            Map<String, String> installing = Map.of("OPENCLAW_CONFIG_PATH", directory.root().resolve("plugin-install.json").toString());
            plugins.installMissing(id, directory, () -> settings.of(id), installing,
                    (arguments, environment, timeout) -> GatewayCommand.runUnconfined(layout, directory.root(), concat(openclaw, arguments),
                            environment, timeout));
            settings.write(id, configFile);
            return GatewayProcess.launch(directory, layout, port, given);
        }
        SandboxCell.Request request = new SandboxCell.Request(organization.toString(), id.toString(), directory.root(), runtime.home(),
                configDirectory, directory.state(), directory.workspace(), directory.home(), port, egress, GatewayCommand.arguments(layout, port),
                GatewayCommand.sandboxEnvironment(layout, hostTrust, given));
        SandboxCell cell = sandbox.open(request);
        try {
            // In the launch's own sandbox, before its gateway: the install reaches the registry as the gateway may, and
            // the gateway starts with the plugin. No secret is in its environment; its config is on the sandbox's /tmp, in a
            // directory of its own (OpenClaw sets the mode of the directory it writes in, which /tmp is not its to change).
            plugins.installMissing(id, directory, () -> settings.of(id),
                    GatewayCommand.sandboxEnvironment(layout, hostTrust, PLUGIN_INSTALL_ENVIRONMENT),
                    (arguments, environment, timeout) -> redacted(id, sandbox.runFirst(cell, request, concat(openclaw, arguments), environment, timeout)));
            settings.write(id, configFile);
            return GatewayProcess.launch(cell, directory);
        } catch (IOException | RuntimeException e) {
            cell.close();
            throw e;
        }
    }

    /**
     * Runs an OpenClaw command on a started gateway's state and config, as the gateway runs: beside it in its sandbox
     * (its uid and binds, no network), or unconfined when the sandbox is off. Its output ends with what it printed,
     * secrets redacted.
     */
    Sandbox.Outcome runBeside(OrganizationId organization, InstanceId id, InstanceDirectory directory, List<String> arguments, Duration timeout)
            throws IOException, InterruptedException {
        Map<String, String> given = secrets.given(id)
                .orElseThrow(() -> new IllegalStateException("the gateway of instance " + id + " was not started by this Chowder"));
        OpenClawInstall.Runtime runtime = install.locate();
        Path configDirectory = settings.directory(id);
        GatewayLayout layout = layout(runtime, directory, configDirectory);
        List<String> command = concat(openClaw(layout), arguments);
        Sandbox.Outcome outcome;
        if (sandbox.confines()) {
            outcome = sandbox.runBeside(new SandboxCell.Request(organization.toString(), id.toString(), directory.root(), runtime.home(),
                    configDirectory, directory.state(), directory.workspace(), directory.home(), 0, List.of(), command,
                    GatewayCommand.sandboxEnvironment(layout, hostTrust, given)), timeout);
        } else {
            outcome = GatewayCommand.runUnconfined(layout, directory.root(), command, given, timeout);
        }
        return new Sandbox.Outcome(outcome.exitCode(), secrets.redacted(id, List.copyOf(given.values()), outcome.output()));
    }

    private GatewayLayout layout(OpenClawInstall.Runtime runtime, InstanceDirectory directory, Path configDirectory) {
        return sandbox.confines() ? GatewayLayout.inSandbox() : GatewayLayout.onHost(runtime.home(), directory, configDirectory);
    }

    /** The command line of OpenClaw's CLI, as the gateway's layout places it. */
    private static List<String> openClaw(GatewayLayout layout) {
        return List.of(layout.runtime().node().toString(), layout.runtime().openClawEntry().toString());
    }

    private Sandbox.Outcome redacted(InstanceId id, Sandbox.Outcome outcome) {
        return new Sandbox.Outcome(outcome.exitCode(), secrets.redacted(id, outcome.output()));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
