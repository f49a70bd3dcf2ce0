package chowder.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A provisioned instance's processes as the host sees them: its sandbox (the process in {@code gateway.pid},
 * bubblewrap), the gateway inside it, and every process of the instance's own uid ({@code sandbox-uid}).
 */
record SandboxedInstance(Path directory) {
    static SandboxedInstance of(Path dataDirectory, String instanceId) {
        return new SandboxedInstance(dataDirectory.resolve("instances").resolve(instanceId));
    }

    long uid() {
        return Long.parseLong(read(directory.resolve("sandbox-uid")));
    }

    /** The process Chowder started for the current launch. */
    ProcessHandle sandbox() {
        long pid = Long.parseLong(read(directory.resolve("gateway.pid")));
        return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid + " for " + directory));
    }

    /** The gateway itself: the sandbox's process of the instance's uid whose parent is not (the PID namespace's init). */
    ProcessHandle gateway() {
        long uid = uid();
        return sandbox().descendants()
                .filter(process -> uidOf(process) == uid && process.parent().map(parent -> uidOf(parent) != uid).orElse(false))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no gateway process of uid " + uid + " in the sandbox of " + directory));
    }

    /**
     * How many times the gateway of the current launch has started: OpenClaw logs {@code [gateway] ready} to its console
     * ({@code gateway.log}, written anew at each launch) once per start, an in-process restart (which keeps its pid) included.
     */
    long starts() {
        try (java.util.stream.Stream<String> lines = Files.lines(directory.resolve("gateway.log"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.filter(line -> line.endsWith(" [gateway] ready")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every live process of the instance's uid. */
    List<ProcessHandle> processes() {
        long uid = uid();
        return ProcessHandle.allProcesses().filter(process -> uidOf(process) == uid).toList();
    }

    /** The environment of one of its processes, read as the host's root can. */
    static Map<String, String> environment(ProcessHandle process) {
        Map<String, String> environment = new HashMap<>();
        try {
            for (String entry : new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ")), UTF_8).split("\0")) {
                int equals = entry.indexOf('=');
                if (equals > 0) {
                    environment.put(entry.substring(0, equals), entry.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return environment;
    }

    static long uidOf(ProcessHandle process) {
        try {
            Optional<String> line = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"), UTF_8).stream()
                    .filter(text -> text.startsWith("Uid:")).findFirst();
            return line.map(text -> Long.parseLong(text.split("\\s+")[1])).orElse(-1L);
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
