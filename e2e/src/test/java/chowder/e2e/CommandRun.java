package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A command run to its end with its stdout and stderr kept, or killed with its descendants when it outlives
 * its time.
 *
 * @param timedOut whether the command was killed for running longer than allowed ({@code exitCode} is then -1)
 */
public record CommandRun(boolean timedOut, int exitCode, String stdout, String stderr) {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> RUNNING.forEach(Process::destroyForcibly), "command-run-reaper"));
    }

    /**
     * Runs {@code command} with stdin from {@code /dev/null} and stdout and stderr into the given files, which
     * stay; throws {@link UncheckedIOException} when it cannot be started.
     */
    public static CommandRun run(ProcessBuilder command, Path stdout, Path stderr, Duration timeout) {
        command.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        try {
            Process process = command.start();
            RUNNING.add(process);
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } finally {
                RUNNING.remove(process);
            }
            return new CommandRun(!finished, finished ? process.exitValue() : -1,
                    Files.readString(stdout, UTF_8), Files.readString(stderr, UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command.command()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command.command()), e);
        }
    }

    /** Like {@link #run}, with stdout and stderr in temporary files named after {@code prefix}, deleted afterwards. */
    public static CommandRun runCapturing(ProcessBuilder command, String prefix, Duration timeout) {
        try {
            Path stdout = Files.createTempFile(prefix, ".out");
            Path stderr = Files.createTempFile(prefix, ".err");
            try {
                return run(command, stdout, stderr, timeout);
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot capture the output of " + String.join(" ", command.command()), e);
        }
    }

    /** The lines of stdout that are not blank. */
    public List<String> stdoutLines() {
        return stdout.lines().filter(line -> !line.isBlank()).toList();
    }

    /** Both outputs under headings, to end a failure message with. */
    public String output() {
        return "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
}
