package chowder.adapter.openclaw.provisioner.sandbox;

import java.nio.file.Path;

/**
 * Where things are as a sandboxed gateway sees them. The same for every instance, so that nothing inside a sandbox
 * tells where on the host its directories live or which other instances exist.
 */
public final class SandboxPaths {
    /** The OpenClaw install (Node and the {@code openclaw} package), read-only. */
    public static final Path RUNTIME = Path.of("/opt/openclaw");
    /** The instance's own directory: only {@link #STATE}, {@link #WORKSPACE} and {@link #HOME} in it are writable. */
    public static final Path INSTANCE = Path.of("/instance");
    /** The gateway's config directory, read-only: Chowder replaces the config in it, and the gateway reloads it. */
    public static final Path CONFIG_DIRECTORY = INSTANCE.resolve("config");
    public static final Path CONFIG = CONFIG_DIRECTORY.resolve("openclaw.json");
    public static final Path STATE = INSTANCE.resolve("state");
    public static final Path WORKSPACE = INSTANCE.resolve("workspace");
    public static final Path HOME = INSTANCE.resolve("home");

    private SandboxPaths() {}
}
