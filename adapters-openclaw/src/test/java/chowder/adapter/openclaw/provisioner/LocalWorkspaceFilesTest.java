package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.FileEntry;
import chowder.application.port.OpenFile;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.ByteArrayInputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalWorkspaceFilesTest {
    private static final long MAX_BYTES = 1024;

    @TempDir
    Path instancesDir;

    private final InstanceId instance = new InstanceId(UUID.randomUUID());
    private LocalWorkspaceFiles files;
    private Path workspace;
    private Path outside;

    @BeforeEach
    void createWorkspace() throws Exception {
        workspace = InstanceDirectory.of(instancesDir, instance).create().workspace();
        outside = Files.writeString(instancesDir.resolve("secret.txt"), "master key", UTF_8);
        files = new LocalWorkspaceFiles(instancesDir, MAX_BYTES, 3);
    }

    @Test
    void writesReadsListsMovesAndDeletesInsideTheWorkspace() throws Exception {
        FileEntry written = write("notes/todo.md", "buy milk");
        assertThat(written.size()).isEqualTo(8);
        assertThat(Files.readString(workspace.resolve("notes/todo.md"), UTF_8)).isEqualTo("buy milk");
        try (OpenFile file = files.open(instance, path("notes/todo.md"))) {
            assertThat(new String(file.content().readAllBytes(), UTF_8)).isEqualTo("buy milk");
        }
        assertThat(files.list(instance, WorkspacePath.ROOT).entries()).extracting(entry -> entry.path().value()).containsExactly("notes");

        files.move(instance, path("notes/todo.md"), path("done/todo.md"));
        assertThat(workspace.resolve("done/todo.md")).hasContent("buy milk");
        assertThat(workspace.resolve("notes/todo.md")).doesNotExist();
        files.delete(instance, path("done/todo.md"));
        assertThat(workspace.resolve("done/todo.md")).doesNotExist();
    }

    @Test
    void anExecutableIsWrittenWithItsModeAndATreeIsDeletedWhole() throws Exception {
        files.write(instance, path("skills/tool/run.sh"), new ByteArrayInputStream("#!/bin/sh\n".getBytes(UTF_8)), true);
        assertThat(Files.getPosixFilePermissions(workspace.resolve("skills/tool/run.sh"))).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        files.deleteTree(instance, path("skills"));
        assertThat(workspace.resolve("skills")).doesNotExist();
        files.deleteTree(instance, path("skills"));
    }

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

    @Test
    void entriesCarryTheirModeAsLsShowsIt() throws Exception {
        write("dir/file.txt", "x");
        Files.setPosixFilePermissions(workspace.resolve("dir/file.txt"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(workspace.resolve("dir"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(workspace.resolve("dir/link"), workspace.resolve("dir/file.txt"));

        assertThat(files.list(instance, path("dir")).entries()).extracting(FileEntry::permissions)
                .containsExactly("-rw-r-----", "lrwxrwxrwx");
        assertThat(files.list(instance, WorkspacePath.ROOT).entries()).extracting(FileEntry::permissions).containsExactly("drwxr-xr-x");
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

    @Test
    void whatTheApiCreatesBelongsToTheWorkspacesOwner() throws Exception {
        int owner = 1_999_999_000;
        Files.setAttribute(workspace, "unix:uid", owner);
        Files.setAttribute(workspace, "unix:gid", owner);
        write("made/by/the/api.txt", "x");
        for (String created : new String[] {"made", "made/by", "made/by/the", "made/by/the/api.txt"}) {
            assertThat(Files.getAttribute(workspace.resolve(created), "unix:uid")).as(created).isEqualTo(owner);
            assertThat(Files.getAttribute(workspace.resolve(created), "unix:gid")).as(created).isEqualTo(owner);
        }
    }

    @Test
    void limitsFileSizesAndListings() throws Exception {
        assertThatThrownBy(() -> files.write(instance, path("big.bin"), new ByteArrayInputStream(new byte[(int) MAX_BYTES + 1])))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThat(workspace.resolve("big.bin")).doesNotExist();
        assertThat(Files.list(workspace)).isEmpty();

        Files.write(workspace.resolve("large-from-the-agent.bin"), new byte[(int) MAX_BYTES + 1]);
        assertThatThrownBy(() -> files.open(instance, path("large-from-the-agent.bin")))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));

        for (String name : new String[] {"a", "b", "c"}) {
            write(name, name);
        }
        var listing = files.list(instance, WorkspacePath.ROOT);
        assertThat(listing.entries()).hasSize(3);
        assertThat(listing.truncated()).isTrue();
    }

    @Test
    void conflictsAndMissingFilesHaveTheirOwnCodes() {
        write("a.txt", "a");
        write("b.txt", "b");
        assertCode(() -> files.move(instance, path("a.txt"), path("b.txt")), ErrorCode.FILE_CONFLICT);
        assertCode(() -> files.open(instance, path("missing.txt")), ErrorCode.FILE_NOT_FOUND);
        assertCode(() -> write("a.txt/child", "x"), ErrorCode.FILE_CONFLICT);
        write("dir/file", "x");
        assertCode(() -> files.delete(instance, path("dir")), ErrorCode.FILE_CONFLICT);
    }

    /** A device node in the workspace ({@code type} {@code c} or {@code b}), as root makes it. */
    private Path mknod(String name, String type, int major, int minor) throws Exception {
        Path node = workspace.resolve(name);
        Process mknod = new ProcessBuilder("mknod", node.toString(), type, Integer.toString(major), Integer.toString(minor)).inheritIO().start();
        assertThat(mknod.waitFor()).as("mknod (the tests run as root)").isZero();
        return node;
    }

    private FileEntry write(String path, String content) {
        return files.write(instance, path(path), new ByteArrayInputStream(content.getBytes(UTF_8)));
    }

    private static WorkspacePath path(String value) {
        return WorkspacePath.of(value, "path", false);
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertCode(call, ErrorCode.INVALID_REQUEST);
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
