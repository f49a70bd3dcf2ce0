package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** The host's processes as the sandbox's bookkeeping needs them: whose they are, and killing a set of them for good. */
final class HostProcesses {
    private static final int KILL_ROUNDS = 50;
    private static final long KILL_PAUSE_MILLIS = 20;

    private HostProcesses() {}

    /** The real uid of {@code process}, or -1 once it is gone. */
    static long uidOf(ProcessHandle process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"), UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException gone) {
            // exited meanwhile
        }
        return -1;
    }

    /**
     * Kills what {@code find} lists, again and again (a process may fork while it is being killed) until it lists
     * nothing, for about a second at most; returns whether none was left.
     */
    static boolean killUntilNone(Supplier<List<ProcessHandle>> find) {
        for (int round = 0; round < KILL_ROUNDS; round++) {
            List<ProcessHandle> left = find.get();
            if (left.isEmpty()) {
                return true;
            }
            left.forEach(ProcessHandle::destroyForcibly);
            try {
                Thread.sleep(KILL_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return find.get().isEmpty();
    }
}
