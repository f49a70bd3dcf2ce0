package chowder.adapter.openclaw.workspace;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.FileEntry;
import chowder.application.port.OpenFile;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.WorkspacePath;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What an agent may plant in its workspace to lead Chowder astray: links out, FIFOs, sockets, devices and hard links,
 * each refused without being opened or followed.
 */
class WorkspaceTrapsTest extends WorkspaceFilesFixture {
    @Test
    void aTreeIsDeletedWithoutFollowingTheLinksInIt() throws Exception {
        write("skills/tool/SKILL.md", "x");
        Files.createSymbolicLink(workspace.resolve("skills/tool/out"), instancesDir);
        Files.createSymbolicLink(workspace.resolve("skills/tool/secret"), outside);

        files.deleteTree(instance, path("skills/tool"));

        assertThat(workspace.resolve("skills/tool")).doesNotExist();
        assertThat(outside).hasContent("master key");
        assertThat(instancesDir.resolve(instance.toString())).isDirectory();
    }

    /**
     * A tree nested thousands of levels deep, with the longest names Linux allows (made level by level, as an agent can:
     * no path names it whole), once made one deletion hold about a gigabyte of Chowder's heap (a stream and an ever
     * longer path per level) before giving up; a few at once took Chowder down for every tenant. It is refused once
     * the walk reaches the bound, having held a stream per level up to it; a tree within the bound is deleted whole.
     */
    @Test
    void aTreeNestedDeeperThanTheBoundIsRefusedWithoutHoldingMemoryPerLevelBeyondIt() throws Exception {
        Path deep = workspace.resolve("skills/deep");
        try {
            nest(deep, 3_000, 255);
            nest(workspace.resolve("skills/within"), LocalWorkspaceFiles.MAX_TREE_DEPTH, 255);
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();

            assertThatThrownBy(() -> files.deleteTree(instance, path("skills/deep"))).isInstanceOfSatisfying(ChowderException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.FILE_CONFLICT);
                assertThat(e.getMessage()).contains("more than " + LocalWorkspaceFiles.MAX_TREE_DEPTH + " levels deep");
            });
            // Guava's walk allocated over 900 MB for this tree; the bounded one a stream and a path per level up to the bound.
            assertThat(threads.getCurrentThreadAllocatedBytes() - allocatedBefore).isLessThan(64L << 20);
            files.deleteTree(instance, path("skills/within"));
            assertThat(workspace.resolve("skills/within")).doesNotExist();
        } finally {
            // Deeper than a path can name: JUnit's clean-up walks by path names, rm does not.
            assertThat(new ProcessBuilder("rm", "-rf", deep.toString()).inheritIO().start().waitFor()).isZero();
        }
    }

    /**
     * Names Linux allows and the API cannot address (a backslash, a C1 control character, bytes that are not UTF-8, too
     * many of them for a segment once decoded) are left out of a listing: they used to fail it whole, for good (500).
     */
    @Test
    void aListingLeavesOutNamesTheApiCannotAddressInsteadOfFailing() throws Exception {
        write("odd/plain.txt", "x");
        String script = """
                import os, sys
                for name in [b"report\\\\2024.txt", b"c1\\xc2\\x85control", b"\\xff" * 90, b"latin1-caf\\xe9"]:
                    os.close(os.open(os.path.join(sys.argv[1].encode(), name), os.O_CREAT | os.O_WRONLY, 0o644))
                """;
        Process python = new ProcessBuilder("python3", "-c", script, workspace.resolve("odd").toString()).redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), UTF_8);
        assertThat(python.waitFor()).as(output).isZero();

        // The short name that is not UTF-8 decodes to U+FFFD, the name of another file (made here) or of none: left out
        // too, so that the real one is listed once, with its own attributes.
        write("odd/latin1-caf\ufffd", "the real one");
        assertThat(files.list(instance, path("odd")).entries()).extracting(entry -> entry.path().value() + " " + entry.size())
                .containsExactly("odd/latin1-caf\ufffd 12", "odd/plain.txt 1");
    }

    /**
     * The agent is live while a skill is removed or reinstalled: entries it deletes meanwhile are done, not the end of the
     * walk. Before, the first one that vanished ended it silently, leaving the rest of the tree in place.
     */
    @Test
    void entriesTheAgentRemovesMeanwhileDoNotEndTheDeletionHalfway() throws Exception {
        for (int round = 0; round < 10; round++) {
            Path tree = Files.createDirectories(workspace.resolve("skills/racing/sub"));
            List<Path> made = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                made.add(Files.writeString(tree.resolve("file-" + i), "x", UTF_8));
            }
            Thread agent = Thread.ofPlatform().start(() -> {
                for (Path file : made.reversed()) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (java.io.IOException e) {
                        // its parent went first
                    }
                }
            });
            files.deleteTree(instance, path("skills/racing"));
            agent.join();
            assertThat(workspace.resolve("skills/racing")).as("round " + round).doesNotExist();
        }
    }

    /** {@code levels} nested directories under {@code top}, each named with {@code nameLength} characters, made by descriptor. */
    private static void nest(Path top, int levels, int nameLength) throws Exception {
        Files.createDirectories(top);
        String script = """
                import os, sys
                fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
                name = "d" * int(sys.argv[3])
                for _ in range(int(sys.argv[2])):
                    os.mkdir(name, dir_fd=fd)
                    child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
                    os.close(fd)
                    fd = child
                os.close(fd)
                """;
        Process python = new ProcessBuilder("python3", "-c", script, top.toString(), Integer.toString(levels), Integer.toString(nameLength))
                .redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), UTF_8);
        assertThat(python.waitFor()).as(output).isZero();
    }

    @Test
    void refusesPathsWithDotDotAbsoluteOrBackslash() {
        for (String bad : new String[] {"../secret.txt", "a/../../secret.txt", "/etc/passwd", "./a", "a//b", "a\\..\\b", "a\u0000b"}) {
            assertThatThrownBy(() -> WorkspacePath.of(bad, "path", false)).as(bad)
                    .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        }
    }

    @Test
    void refusesSymbolicLinksThatLeadOutOfTheWorkspace() throws Exception {
        Files.createSymbolicLink(workspace.resolve("escape"), instancesDir);
        Files.createSymbolicLink(workspace.resolve("secret-link"), outside);
        Files.createSymbolicLink(workspace.resolve("dangling"), instancesDir.resolve("nowhere"));

        assertInvalid(() -> files.open(instance, path("secret-link")));
        assertInvalid(() -> files.open(instance, path("escape/secret.txt")));
        assertInvalid(() -> files.list(instance, path("escape")));
        assertInvalid(() -> write("escape/new.txt", "x"));
        assertInvalid(() -> files.move(instance, path("escape/secret.txt"), path("stolen.txt")));
        write("notes.txt", "mine");
        assertInvalid(() -> files.move(instance, path("notes.txt"), path("escape/planted.txt")));
        assertInvalid(() -> files.delete(instance, path("escape/secret.txt")));
        assertInvalid(() -> files.open(instance, path("dangling")));
        // Writing onto a link replaces the link itself: nothing is written where it leads.
        write("secret-link", "overwritten");
        write("dangling", "x");
        assertThat(Files.isSymbolicLink(workspace.resolve("secret-link"))).isFalse();
        assertThat(outside).hasContent("master key");
        assertThat(instancesDir.resolve("nowhere")).doesNotExist();
        assertThat(instancesDir.resolve("planted.txt")).doesNotExist();
    }

    @Test
    void followsRelativeSymbolicLinksThatStayInsideButNoAbsoluteOnes() throws Exception {
        write("real/file.txt", "inside");
        Files.createSymbolicLink(workspace.resolve("alias"), Path.of("real"));
        Files.createSymbolicLink(workspace.resolve("real/up"), Path.of("../real/file.txt"));
        try (OpenFile file = files.open(instance, path("alias/file.txt"))) {
            assertThat(new String(file.content().readAllBytes(), UTF_8)).isEqualTo("inside");
        }
        try (OpenFile file = files.open(instance, path("real/up"))) {
            assertThat(new String(file.content().readAllBytes(), UTF_8)).isEqualTo("inside");
        }
        // An agent's absolute paths are its sandbox's, not the host's: never followed.
        Files.createSymbolicLink(workspace.resolve("absolute"), workspace.resolve("real"));
        assertInvalid(() -> files.open(instance, path("absolute/file.txt")));
    }

    @Test
    void refusesFifosSocketsAndHardLinksWithoutOpeningThem() throws Exception {
        Path fifo = workspace.resolve("pipe");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Path socketFile = workspace.resolve("agent.sock");
        try (var channel = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.bind(java.net.UnixDomainSocketAddress.of(socketFile));
        }
        Files.createLink(workspace.resolve("hard-link"), outside);

        // Opening the FIFO for reading would block until a writer comes: the refusal must come at once, and twice.
        for (int attempt = 0; attempt < 2; attempt++) {
            assertInvalid(() -> files.open(instance, path("pipe")));
        }
        assertInvalid(() -> files.open(instance, path("agent.sock")));
        assertInvalid(() -> files.open(instance, path("hard-link")));
        assertThat(files.list(instance, WorkspacePath.ROOT).entries()).extracting(FileEntry::permissions)
                .anyMatch(mode -> mode.startsWith("p")).anyMatch(mode -> mode.startsWith("s"));
        write("notes.txt", "fine");
        try (OpenFile file = files.open(instance, path("notes.txt"))) {
            assertThat(file.content().readAllBytes()).hasSize(4);
        }
    }

    @Test
    void refusesDeviceNodesWithoutOpeningThem() throws Exception {
        // What an agent that became root in its workspace could leave there: /dev/null's numbers, and the first loop device's.
        Path character = mknod("null-device", "c", 1, 3);
        Path block = mknod("loop-device", "b", 7, 0);
        try (OpenWatch characterOpens = OpenWatch.on(character); OpenWatch blockOpens = OpenWatch.on(block)) {
            for (String device : new String[] {"null-device", "loop-device"}) {
                assertThatThrownBy(() -> files.open(instance, path(device))).as(device)
                        .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                        .hasMessageContaining("not a regular file");
                assertCode(() -> files.list(instance, path(device)), ErrorCode.INVALID_REQUEST);
            }
            assertThat(files.list(instance, WorkspacePath.ROOT).entries()).extracting(FileEntry::permissions)
                    .anyMatch(mode -> mode.startsWith("c")).anyMatch(mode -> mode.startsWith("b"));
            // A move renames the node; a write replaces it with a regular file: neither writes to the device.
            files.move(instance, path("null-device"), path("moved/null-device"));
            assertInvalid(() -> files.open(instance, path("moved/null-device")));
            write("loop-device", "replaced");
            assertThat(workspace.resolve("loop-device")).isRegularFile().hasContent("replaced");

            assertThat(characterOpens.opens()).isZero();
            assertThat(blockOpens.opens()).isZero();
            // The watch sees an open when there is one.
            Files.newInputStream(workspace.resolve("moved/null-device")).close();
            assertThat(characterOpens.opens()).isEqualTo(1);
        }
    }

    @Test
    void refusalsOnMoreVirtualThreadsThanCarriersHoldNoCarrier() throws Exception {
        Path fifo = workspace.resolve("pipe");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        mknod("null-device", "c", 1, 3);
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> refusals = new ArrayList<>();
        for (int i = 0; i < 2 * carriers + 2; i++) {
            refusals.add(Thread.ofVirtual().start(() -> {
                try {
                    // Opening the FIFO without a writer would block in the kernel, holding the carrier that ran the call.
                    assertInvalid(() -> files.open(instance, path("pipe")));
                    assertInvalid(() -> files.open(instance, path("null-device")));
                    files.list(instance, WorkspacePath.ROOT);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        // Started after all of them: it runs only if they left a carrier.
        Thread after = Thread.ofVirtual().start(() -> { });
        try {
            for (Thread refusal : refusals) {
                assertThat(refusal.join(Duration.ofSeconds(60))).as("refused within a minute").isTrue();
            }
            assertThat(after.join(Duration.ofSeconds(60))).as("a virtual thread started after them ran").isTrue();
            assertThat(failures).isEmpty();
        } finally {
            // Writers release any reader that did open the FIFO (one at a time, as carriers free up), so none is left behind.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (refusals.stream().anyMatch(Thread::isAlive) && System.nanoTime() - deadline < 0) {
                new RandomAccessFile(fifo.toFile(), "rw").close();
                Thread.sleep(20);
            }
        }
    }

    @Test
    void movingADirectoryIntoItselfThroughALinkIsAnInvalidRequest() throws Exception {
        write("dir/file.txt", "x");
        Files.createSymbolicLink(workspace.resolve("link"), Path.of("dir"));
        assertInvalid(() -> files.move(instance, path("dir"), path("link/inner")));
        assertInvalid(() -> files.move(instance, path("dir"), path("dir/inner")));
        assertThat(workspace.resolve("dir/file.txt")).hasContent("x");
    }
}
