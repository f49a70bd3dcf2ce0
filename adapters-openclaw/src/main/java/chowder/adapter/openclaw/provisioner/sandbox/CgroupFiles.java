package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing the files of cgroups, either version: what a missing or unreadable one means is decided here. */
final class CgroupFiles {
    private CgroupFiles() {}

    static List<String> childrenOf(Path parent, String prefix) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (var children = Files.list(parent)) {
            return children.filter(Files::isDirectory).map(child -> child.getFileName().toString())
                    .filter(name -> name.startsWith(prefix)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Whether a cgroup holds another cgroup (a directory); one that cannot be read is taken to. */
    static boolean hasChildren(Path cgroup) {
        if (!Files.isDirectory(cgroup)) {
            return false;
        }
        try (var children = Files.list(cgroup)) {
            return children.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return true;
        }
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, UTF_8);
    }

    static List<Long> pids(Path procs) {
        try {
            List<Long> pids = new ArrayList<>();
            for (String line : Files.readAllLines(procs, UTF_8)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.strip()));
                }
            }
            return pids;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    static long counter(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, UTF_8)) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length == 2 && parts[0].equals(key)) {
                    return Long.parseLong(parts[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }

    /** A file that holds one number ({@code memory.limit_in_bytes}), or 0 when it is missing or holds something else. */
    static long counter(Path file) {
        try {
            // Through a buffer: a read sized from a kernel file's size (zero) may get only its first byte.
            List<String> lines = Files.readAllLines(file, UTF_8);
            return lines.isEmpty() ? 0 : Long.parseLong(lines.getFirst().strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    static void removeDirectory(Path directory) {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // still busy for a moment after its last process exited (the next launch takes it over), or an organization's
            // that still holds another instance's
        }
    }
}
