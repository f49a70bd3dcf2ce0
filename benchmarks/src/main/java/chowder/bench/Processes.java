package chowder.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The servers of one run, each a child process with its output in a log file; all are stopped at the end, or on exit. */
final class Processes implements AutoCloseable {
    /** The java launcher of the JVM this runs in, for the JVMs it starts. */
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final Path logs;
    private final List<Process> started = new ArrayList<>();

    Processes(Path logs) {
        this.logs = logs;
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    /** Starts a process whose stdout and stderr go to {@code <name>.log}, each line also handed to {@code lines}. */
    Process start(String name, List<String> command, Map<String, String> env, Consumer<String> lines) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            started.add(process);
            PrintWriter log = new PrintWriter(Files.newBufferedWriter(logs.resolve(name + ".log")), true);
            Thread.ofPlatform().daemon().name(name + "-output").start(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        log.println(line);
                        lines.accept(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                } finally {
                    log.close();
                }
            });
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command, e);
        }
    }

    /** Runs a command to its end and returns its stdout; fails with its output when it exits non-zero. */
    static String run(List<String> command, Map<String, String> env, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out after " + timeout + ": " + command);
        }
        String out = output.join();
        if (process.exitValue() != 0) {
            throw new IOException("exit " + process.exitValue() + " from " + command + ":\n" + out);
        }
        return out;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until something accepts connections on the loopback port. */
    static void awaitPort(String what, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(what + " did not listen on port " + port + " within " + timeout);
    }

    @Override
    public synchronized void close() {
        for (Process process : started.reversed()) {
            process.destroy();
        }
        for (Process process : started) {
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }
}
