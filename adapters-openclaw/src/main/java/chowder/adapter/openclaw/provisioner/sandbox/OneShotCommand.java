package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A command run to its end in a sandbox (beside a gateway, or before it), its output kept in the sandbox's directory meanwhile. */
final class OneShotCommand {
    /** Enough of the output to say what happened, bounded whatever the command printed. */
    private static final int TAIL_BYTES = 8192;

    private OneShotCommand() {}

    /** Runs a command to its end or {@code timeout} (then kills it: bubblewrap's PID namespace takes its tree along). */
    static Sandbox.Outcome runToEnd(ProcessBuilder builder, Path own, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile(own, "command-", ".out");
        try {
            builder.redirectErrorStream(true).redirectOutput(output.toFile());
            Process process = ProcessLauncher.start(builder);
            boolean ended;
            try {
                ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // Chowder stops, or the request went away: the command does not outlive the wait.
                process.destroyForcibly();
                throw e;
            }
            if (!ended) {
                // bubblewrap's PID namespace takes the command's whole tree with it.
                process.destroyForcibly();
                process.waitFor();
                return new Sandbox.Outcome(-1, tail(output));
            }
            return new Sandbox.Outcome(process.exitValue(), tail(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The last 8 KiB of a command's output. */
    private static String tail(Path output) throws IOException {
        try (FileChannel channel = FileChannel.open(output)) {
            long size = channel.size();
            long start = Math.max(0, size - TAIL_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            channel.read(buffer, start);
            return new String(buffer.array(), UTF_8);
        }
    }
}
