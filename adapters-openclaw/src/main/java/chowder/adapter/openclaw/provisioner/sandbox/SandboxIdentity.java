package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who an instance's sandbox runs as: a uid of its own (its gid is the same number), never root and never shared,
 * recorded in the instance's directory ({@value #UID_FILE}) so that it survives restarts; and what that uid owns —
 * the instance's state, workspace and home, and nothing else.
 */
final class SandboxIdentity {
    private static final Logger log = LoggerFactory.getLogger(SandboxIdentity.class);
    static final String UID_FILE = "sandbox-uid";

    private final Path instancesDir;
    private final long firstUid;
    // One assignment at a time; it reads and writes files (a lock, not a monitor: on JDK 21 to 23 a virtual thread
    // blocked in a monitor pins its carrier).
    private final ReentrantLock assigning = new ReentrantLock();

    SandboxIdentity(Path instancesDir, long firstUid) {
        this.instancesDir = instancesDir;
        this.firstUid = firstUid;
    }

    /**
     * The uid of the instance whose directory is {@code instanceRoot}, given the lowest free one the first time, and a
     * new one when its recorded one is out of range or also another instance's (a directory copied or restored).
     */
    long uidFor(Path instanceRoot) throws IOException {
        assigning.lock();
        try {
            Path file = instanceRoot.resolve(UID_FILE);
            Long recorded = read(file);
            Set<Long> used = new HashSet<>();
            try (Stream<Path> instances = Files.list(instancesDir)) {
                for (Path other : (Iterable<Path>) instances::iterator) {
                    Long uid = read(other.resolve(UID_FILE));
                    if (uid != null && !other.equals(instanceRoot)) {
                        used.add(uid);
                    }
                }
            }
            if (recorded != null && inRange(recorded) && !used.contains(recorded)) {
                return recorded;
            }
            for (long uid = firstUid; uid < firstUid + SandboxConfig.UID_RANGE; uid++) {
                if (!used.contains(uid)) {
                    Path temporary = file.resolveSibling(UID_FILE + ".tmp");
                    Files.writeString(temporary, Long.toString(uid), UTF_8);
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    return uid;
                }
            }
            throw new IOException("every sandbox uid from " + firstUid + " is taken");
        } finally {
            assigning.unlock();
        }
    }

    private boolean inRange(long uid) {
        return uid >= firstUid && uid < firstUid + SandboxConfig.UID_RANGE;
    }

    private static Long read(Path file) {
        try {
            return Long.parseLong(Files.readString(file, UTF_8).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Makes each directory (created if missing) belong to {@code uid} with mode 700. A tree owned by someone else
     * (left by an unconfined run, or by a former uid) is re-owned entry by entry without following links; a file with
     * several hard links is left alone, since its other names may be anywhere. Only called while no gateway of the
     * instance runs, so nothing changes the tree meanwhile.
     */
    static void own(List<Path> directories, long uid) throws IOException {
        for (Path directory : directories) {
            Files.createDirectories(directory);
            if (owner(directory) != uid) {
                reown(directory, uid);
            }
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
    }

    static long owner(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /** Gives {@code path} (never followed if it is a link) to {@code uid}, group {@code uid}. */
    static void chown(Path path, long uid) throws IOException {
        Files.setAttribute(path, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", (int) uid, LinkOption.NOFOLLOW_LINKS);
    }

    private static void reown(Path root, long uid) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) throws IOException {
                chown(directory, uid);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile() && ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() > 1) {
                    log.warn("Not giving {} to the sandbox: it has several hard links", file);
                    return FileVisitResult.CONTINUE;
                }
                chown(file, uid);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Kills every process of {@code uid}: before a launch there must be none (the sandbox's PID namespace ends them), and
     * the tree that is about to be re-owned must not change meanwhile. Where cgroups are missing, this is what finds a
     * process that left its sandbox's cgroup-less tree.
     */
    static void killProcessesOf(long uid) {
        boolean none = HostProcesses.killUntilNone(() -> {
            List<ProcessHandle> left = ProcessHandle.allProcesses().filter(process -> HostProcesses.uidOf(process) == uid).toList();
            if (!left.isEmpty()) {
                log.warn("Killing {} leftover process(es) of sandbox uid {}", left.size(), uid);
            }
            return left;
        });
        if (!none) {
            log.warn("Processes of sandbox uid {} outlived SIGKILL", uid);
        }
    }

    /** Writes the sandbox's own {@code /etc/passwd}, {@code group} and {@code hosts}: it knows only itself, root and nobody. */
    static void writeEtc(Path etc, long uid) throws IOException {
        Files.createDirectories(etc);
        write(etc.resolve("passwd"), "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
                + "agent:x:" + uid + ":" + uid + ":OpenClaw agent:" + SandboxPaths.HOME + ":/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        write(etc.resolve("group"), "root:x:0:\nagent:x:" + uid + ":\nnogroup:x:65534:\n");
        write(etc.resolve("hosts"), "127.0.0.1 localhost openclaw\n::1 localhost ip6-localhost ip6-loopback\n");
    }

    private static void write(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, UTF_8);
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
