package chowder.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The install scripts of the e2e module ({@code scripts/install-*.sh}), which print the install directory as
 * their last line, run so that any failure is loud and shows the script's output.
 */
public final class InstallScript {
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    private InstallScript() {}

    /**
     * The cache the installs go to, chosen as {@code scripts/cache-install.sh} chooses it: {@code $CHOWDER_E2E_CACHE},
     * else {@code chowder-e2e} under {@code $XDG_CACHE_HOME}, else under {@code ~/.cache}.
     */
    public static Path cacheRoot() {
        String configured = System.getenv("CHOWDER_E2E_CACHE");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured).toAbsolutePath();
        }
        String xdgCache = System.getenv("XDG_CACHE_HOME");
        if (xdgCache != null && !xdgCache.isEmpty()) {
            return Path.of(xdgCache, "chowder-e2e").toAbsolutePath();
        }
        // $HOME as the shell sees it, which may differ from the account's home directory (user.home).
        return Path.of(System.getenv().getOrDefault("HOME", System.getProperty("user.home")), ".cache", "chowder-e2e").toAbsolutePath();
    }

    /**
     * A file of the e2e module given relative to it, found from Maven's basedir (the module; surefire also makes
     * it the working directory) or from the repository root.
     */
    public static Path moduleFile(Path relative) {
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path candidate : List.of(basedir.resolve(relative), basedir.resolve("e2e").resolve(relative))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find " + relative + " under " + basedir
                + " or its e2e directory: run the tests from the e2e module or the repository root");
    }

    /**
     * Runs {@code script} with bash, {@code environment} added to its own, and opens the install it printed with {@code open}; throws
     * {@link IllegalStateException} naming {@code what} and showing the script's output when the script fails,
     * hangs, prints nothing or prints a directory that {@code open} refuses with an
     * {@link IllegalArgumentException}.
     */
    public static <T> T run(Path script, Map<String, String> environment, String what, Function<Path, T> open) {
        String name = script.getFileName().toString().replaceFirst("\\.sh$", "");
        ProcessBuilder command = new ProcessBuilder("bash", script.toString());
        command.environment().putAll(environment);
        CommandRun run = CommandRun.runCapturing(command, name, TIMEOUT);
        if (run.timedOut()) {
            throw failure(what, script, "did not finish within " + TIMEOUT.toMinutes() + " minutes", run);
        }
        List<String> lines = run.stdoutLines();
        if (run.exitCode() != 0 || lines.isEmpty()) {
            throw failure(what, script, "exited with " + run.exitCode(), run);
        }
        try {
            return open.apply(Path.of(lines.getLast().strip()));
        } catch (IllegalArgumentException e) {
            throw failure(what, script, e.getMessage(), run);
        }
    }

    private static IllegalStateException failure(String what, Path script, String problem, CommandRun run) {
        return new IllegalStateException(what + " install by " + script + " failed: " + problem + run.output());
    }
}
