package chowder.adapter.openclaw.workspace;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.FileEntry;
import chowder.application.port.OpenFile;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.WorkspacePath;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** What the files port does inside a workspace: reads, writes, listings, moves and deletions, with their limits. */
class LocalWorkspaceFilesTest extends WorkspaceFilesFixture {
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
}
