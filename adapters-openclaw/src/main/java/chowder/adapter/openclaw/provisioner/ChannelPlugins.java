package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.adapter.openclaw.provisioner.sandbox.Sandbox;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.InstanceId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The official channel plugins of provisioned gateways ({@code @openclaw/discord}, …). OpenClaw installs a plugin only
 * into a config it can write, and trusts only a plugin it installed itself; a gateway's config is read-only to it. So a
 * plugin is installed by OpenClaw's own {@code plugins install}, run at a launch of the gateway, before the gateway
 * starts: in the launch's sandbox (the instance's uid, binds, network and egress grant), with a throwaway config. What
 * it installs lands in the instance's state, with OpenClaw's record of it; Chowder keeps a marker of each install, out
 * of the sandbox's sight, and lets the gateway's config name only channels whose plugin is there.
 */
final class ChannelPlugins {
    private static final Logger log = LoggerFactory.getLogger(ChannelPlugins.class);
    static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final String MARKERS = "plugins";
    private static final int MAX_REASON = 600;

    /** Runs an OpenClaw command as the launch would run its gateway. */
    interface Runner {
        Sandbox.Outcome run(List<String> command, Map<String, String> environment, Duration timeout) throws IOException, InterruptedException;
    }

    private final ChannelsConfig config;
    /** For each instance whose gateway is being restarted to install plugins: the outcome of each install, once tried. */
    private final Map<InstanceId, CompletableFuture<Map<Channel, Optional<String>>>> attempts = new ConcurrentHashMap<>();

    ChannelPlugins(ChannelsConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /** The channels the instance's gateway can run: bundled ones, and those whose plugin is installed at the pinned version. */
    Set<Channel> available(InstanceDirectory directory) {
        Set<Channel> available = EnumSet.noneOf(Channel.class);
        for (Channel channel : Channel.values()) {
            if (channel.npmPackage().isEmpty() || installed(directory, channel)) {
                available.add(channel);
            }
        }
        return available;
    }

    /** Whether the channel's plugin at the pinned version is in the instance's state (as far as Chowder installed it). */
    boolean installed(InstanceDirectory directory, Channel channel) {
        Path marker = marker(directory, channel);
        try {
            return Files.isRegularFile(marker) && Files.readString(marker, UTF_8).equals(config.pluginSpec(channel));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Before a launch starts its gateway: installs the plugin of each connected channel that lacks it, and tells whoever
     * waits for this launch ({@link #awaitInstall}) how each went. A failure is logged and leaves that channel out of the
     * gateway's config: the gateway still starts.
     */
    void installMissing(InstanceId id, InstanceDirectory directory, java.util.function.Supplier<StoredSettings> settings,
            Map<String, String> environment, Runner runner) {
        // Taken before the settings are read: whoever asked saved theirs first, so this launch sees their channel.
        CompletableFuture<Map<Channel, Optional<String>>> waiting = attempts.remove(id);
        Map<Channel, Optional<String>> outcomes = new EnumMap<>(Channel.class);
        try {
            for (Map.Entry<Channel, ChannelSettings> entry : settings.get().channels().entrySet()) {
                Channel channel = entry.getKey();
                if (entry.getValue().enabled() && channel.npmPackage().isPresent() && !installed(directory, channel)) {
                    outcomes.put(channel, install(id, directory, channel, environment, runner));
                }
            }
        } finally {
            if (waiting != null) {
                waiting.complete(outcomes);
            }
        }
    }

    /**
     * Restarts the gateway (with {@code restart}) so that its next launch installs the channel's plugin, and waits for that
     * install; empty when the plugin is installed, else why not.
     */
    Optional<String> awaitInstall(InstanceId id, InstanceDirectory directory, Channel channel, Runnable restart) throws InterruptedException {
        if (installed(directory, channel)) {
            return Optional.empty();
        }
        CompletableFuture<Map<Channel, Optional<String>>> attempt = attempts.computeIfAbsent(id, unused -> new CompletableFuture<>());
        restart.run();
        try {
            Map<Channel, Optional<String>> outcomes = attempt.get(INSTALL_TIMEOUT.plusMinutes(2).toMillis(), TimeUnit.MILLISECONDS);
            return outcomes.getOrDefault(channel, installed(directory, channel) ? Optional.empty()
                    : Optional.of("the gateway's launch did not install it (is the channel still connected?)"));
        } catch (TimeoutException e) {
            attempts.remove(id, attempt);
            return Optional.of("the gateway's launch did not get to the install within " + INSTALL_TIMEOUT.plusMinutes(2).toMinutes() + " minutes");
        } catch (java.util.concurrent.ExecutionException e) {
            return Optional.of(String.valueOf(e.getCause().getMessage()));
        }
    }

    private Optional<String> install(InstanceId id, InstanceDirectory directory, Channel channel, Map<String, String> environment, Runner runner) {
        String spec = config.pluginSpec(channel);
        List<String> command = new ArrayList<>(List.of("plugins", "install", "npm:" + spec, "--force"));
        try {
            Sandbox.Outcome outcome = runner.run(command, environment, INSTALL_TIMEOUT);
            if (outcome.exitCode() == 0) {
                Path marker = marker(directory, channel);
                Files.createDirectories(marker.getParent());
                Files.writeString(marker, spec, UTF_8);
                log.info("Installed the {} plugin ({}) for instance {}", channel.id(), spec, id);
                return Optional.empty();
            }
            String said = lastLine(outcome.output());
            log.warn("Installing the {} plugin ({}) for instance {} failed (exit {}): {}", channel.id(), spec, id, outcome.exitCode(),
                    oneLine(outcome.output().length() <= 4096 ? outcome.output() : outcome.output().substring(outcome.output().length() - 4096)));
            return Optional.of(outcome.exitCode() == -1 ? "it did not finish within " + INSTALL_TIMEOUT.toMinutes() + " minutes" : said);
        } catch (IOException e) {
            log.warn("Cannot install the {} plugin for instance {}: {}", channel.id(), id, e.getMessage());
            return Optional.of("it could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("it was interrupted");
        }
    }

    /** Root-owned, beside the instance's directories, never inside its sandbox: the tenant cannot forge a marker. */
    private static Path marker(InstanceDirectory directory, Channel channel) {
        return directory.root().resolve(MARKERS).resolve(channel.id());
    }

    /** OpenClaw's reason, without colours and boxes: its last line that says something. */
    private static String lastLine(String output) {
        String cleaned = output.replaceAll("\u001B\\[[0-9;]*[A-Za-z]", "");
        String[] lines = cleaned.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].replaceAll("[\\p{Cntrl}│╮╯╭╰─◇├]", "").strip();
            if (line.startsWith("[openclaw] Reason:") || (!line.isEmpty() && !line.startsWith("[openclaw]"))) {
                return line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON) + "…";
            }
        }
        return "no output";
    }

    /** Output of a command the tenant's agent can shape, as one log line: it cannot forge lines of Chowder's log. */
    static String oneLine(String output) {
        return output.strip().replaceAll("\\p{Cntrl}+", " | ");
    }
}
