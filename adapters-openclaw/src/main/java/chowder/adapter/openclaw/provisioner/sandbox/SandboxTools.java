package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host programs a sandbox is built with, found once on Chowder's {@code PATH}: bubblewrap ({@code bwrap}), pasta
 * (Debian package {@code passt}), {@code ip} (iproute2), {@code nft} (nftables), and util-linux's {@code nsenter},
 * {@code setpriv} and {@code prlimit}. Each is run by absolute path, never looked up again.
 */
record SandboxTools(Path bwrap, Path pasta, Path ip, Path nft, Path nsenter, Path setpriv, Path prlimit, Path shell) {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** The tools on {@code path}, or the names (and their Debian packages) of those missing. */
    static Result locate(String path) {
        List<String> missing = new ArrayList<>();
        Path bwrap = find(path, "bwrap", "bubblewrap", missing);
        Path pasta = find(path, "pasta", "passt", missing);
        Path ip = find(path, "ip", "iproute2", missing);
        Path nft = find(path, "nft", "nftables", missing);
        Path nsenter = find(path, "nsenter", "util-linux", missing);
        Path setpriv = find(path, "setpriv", "util-linux", missing);
        Path prlimit = find(path, "prlimit", "util-linux", missing);
        Path shell = find(path, "sh", "dash", missing);
        if (!missing.isEmpty()) {
            return new Result(Optional.empty(), "not found on PATH: " + String.join(", ", missing));
        }
        return new Result(Optional.of(new SandboxTools(bwrap, pasta, ip, nft, nsenter, setpriv, prlimit, shell)), "");
    }

    /** Found tools, or why not. */
    record Result(Optional<SandboxTools> tools, String problem) {}

    /** Chowder's {@code PATH} and the system's directories: system tools live in sbin, which a service's PATH does not always list. */
    static String searchPath(String hostPath) {
        return (hostPath == null ? "" : hostPath) + ":" + SYSTEM_PATH;
    }

    private static Path find(String path, String name, String debianPackage, List<String> missing) {
        for (String directory : (path == null ? "" : path).split(":")) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        missing.add(name + " (Debian package " + debianPackage + ")");
        return null;
    }

    /** Runs a short host command to completion; throws with its output when it fails or takes too long. */
    static String run(List<String> command) throws IOException {
        return run(hostCommand(command));
    }

    /**
     * A host command that reads nothing and inherits none of Chowder's environment but {@code PATH}: these tools handle
     * a tenant's traffic and files (pasta parses every packet of a sandbox), and Chowder's environment holds its master
     * key, its database's password and the operator's provider keys.
     */
    static ProcessBuilder hostCommand(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        String path = builder.environment().get("PATH");
        builder.environment().clear();
        if (path != null) {
            builder.environment().put("PATH", path);
        }
        return builder;
    }

    /** Runs {@code builder}'s command to completion (its input as the builder says); its output is the answer or the error. */
    static String run(ProcessBuilder builder) throws IOException {
        return run(builder, COMMAND_TIMEOUT);
    }

    /**
     * Like {@link #run(ProcessBuilder)}, for at most {@code timeout}. The output goes to a file, not a pipe: a command
     * that hangs with its output open must not hang the caller past the timeout too.
     */
    static String run(ProcessBuilder builder, Duration timeout) throws IOException {
        List<String> command = builder.command();
        Path output = Files.createTempFile("chowder-command", ".out");
        try {
            Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            String text = Files.readString(output, UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + ")" + (text.isEmpty() ? "" : ": " + text));
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
