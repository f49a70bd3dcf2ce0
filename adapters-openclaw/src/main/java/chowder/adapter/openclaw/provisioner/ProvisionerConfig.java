package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How Chowder runs gateways on its own host: whether it does at all; the OpenClaw install to use (or
 * where to install the pinned versions on first use); where instances' directories live, and their configs (on a
 * memory file system: they hold skill secrets); how long a
 * deleted instance's directory is kept; how long a gateway may take to become ready; the longest pause
 * between restarts of a crashing gateway; the model providers offered; the workspace file limits; and how
 * each gateway is confined.
 */
public record ProvisionerConfig(
        boolean enabled,
        Optional<Path> openclawHome,
        Path installRoot,
        String openclawVersion,
        String nodeVersion,
        Path instancesDir,
        Path runtimeDir,
        Duration retention,
        Duration readyTimeout,
        Duration maxRestartBackoff,
        ModelProviders modelProviders,
        long maxFileBytes,
        int maxListEntries,
        SandboxConfig sandbox) {
    public static final String DEFAULT_OPENCLAW_VERSION = "2026.9.6";
    public static final String DEFAULT_NODE_VERSION = "24.21.0";
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_MAX_RESTART_BACKOFF = Duration.ofMinutes(1);
    public static final long DEFAULT_MAX_FILE_BYTES = 10L * 1024 * 1024;
    public static final int DEFAULT_MAX_LIST_ENTRIES = 1000;

    public ProvisionerConfig {
        requireNonNull(openclawHome, "openclawHome is null");
        requireNonNull(installRoot, "installRoot is null");
        requireNonNull(instancesDir, "instancesDir is null");
        requireNonNull(runtimeDir, "runtimeDir is null");
        requireNonNull(modelProviders, "modelProviders is null");
        requireNonNull(sandbox, "sandbox is null");
        if (openclawVersion == null || !openclawVersion.matches("[0-9A-Za-z.+-]{1,64}")) {
            throw new IllegalArgumentException("the OpenClaw version must be an npm version like " + DEFAULT_OPENCLAW_VERSION);
        }
        if (nodeVersion == null || !nodeVersion.matches("[0-9.]{1,32}")) {
            throw new IllegalArgumentException("the Node version must be like " + DEFAULT_NODE_VERSION);
        }
        requireNonNull(retention, "retention is null");
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative");
        }
        if (readyTimeout.isNegative() || readyTimeout.isZero() || maxRestartBackoff.isNegative() || maxRestartBackoff.isZero()) {
            throw new IllegalArgumentException("ready timeout and restart backoff must be positive");
        }
        if (maxFileBytes < 1 || maxListEntries < 1) {
            throw new IllegalArgumentException("file limits must be positive");
        }
    }

    /** Where gateways' configs go unless {@code CHOWDER_RUNTIME_DIR} says: memory, per OS user ({@link ConfigDirectories}). */
    public static Path defaultRuntimeDir() {
        try {
            return Path.of("/dev/shm", "chowder-" + java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The provisioner off: instances are registered gateways only. */
    public static ProvisionerConfig disabled(Path dataDir) {
        return new ProvisionerConfig(false, Optional.empty(), dataDir.resolve("openclaw"), DEFAULT_OPENCLAW_VERSION, DEFAULT_NODE_VERSION,
                dataDir.resolve("instances"), defaultRuntimeDir(), DEFAULT_RETENTION, DEFAULT_READY_TIMEOUT, DEFAULT_MAX_RESTART_BACKOFF, ModelProviders.HOSTED_ONLY,
                DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LIST_ENTRIES, SandboxConfig.defaults());
    }
}
