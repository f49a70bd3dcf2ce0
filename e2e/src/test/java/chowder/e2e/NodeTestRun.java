package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code node --test} over some test files, its stdout and stderr merged and streamed line by line into the test's
 * log as they come (a browser scenario that hangs shows how far it got), and kept for the failure message. Killed
 * with its descendants (Chromium) when it outlives its time.
 *
 * @param exitCode -1 when it was killed for running too long
 */
record NodeTestRun(int exitCode, boolean timedOut, String output) {
    private static final String PREFIX = "[node] ";

    /** Runs {@code node --test} (one file at a time) over {@code files} in {@code directory} with {@code environment} added. */
    static NodeTestRun run(Path directory, List<Path> files, Map<String, String> environment, Duration timeout) {
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec"));
        files.forEach(file -> command.add(file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + " (is Node installed?)", e);
        }
        StringBuilder output = new StringBuilder();
        Thread pump = Thread.ofVirtual().start(() -> pump(process, output));
        try {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            pump.join(Duration.ofSeconds(30));
            synchronized (output) {
                return new NodeTestRun(finished ? process.exitValue() : -1, !finished, output.toString());
            }
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the browser tests", e);
        }
    }

    private static void pump(Process process, StringBuilder output) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                System.out.println(PREFIX + line);
                synchronized (output) {
                    output.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.append("(reading node's output failed: ").append(e).append(")\n");
            }
        }
    }
}
