package chowder.adapter.openclaw.workspace;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.application.port.FileEntry;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh instance's workspace beside a host file it must never reach, and the files port over it. */
abstract class WorkspaceFilesFixture {
    static final long MAX_BYTES = 1024;

    @TempDir
    Path instancesDir;

    final InstanceId instance = new InstanceId(UUID.randomUUID());
    LocalWorkspaceFiles files;
    Path workspace;
    Path outside;

    @BeforeEach
    void createWorkspace() throws Exception {
        workspace = InstanceDirectory.of(instancesDir, instance).create().workspace();
        outside = Files.writeString(instancesDir.resolve("secret.txt"), "master key", UTF_8);
        files = new LocalWorkspaceFiles(instancesDir, MAX_BYTES, 3);
    }

    /** A device node in the workspace ({@code type} {@code c} or {@code b}), as root makes it. */
    Path mknod(String name, String type, int major, int minor) throws Exception {
        Path node = workspace.resolve(name);
        Process mknod = new ProcessBuilder("mknod", node.toString(), type, Integer.toString(major), Integer.toString(minor)).inheritIO().start();
        assertThat(mknod.waitFor()).as("mknod (the tests run as root)").isZero();
        return node;
    }

    FileEntry write(String path, String content) {
        return files.write(instance, path(path), new ByteArrayInputStream(content.getBytes(UTF_8)));
    }

    static WorkspacePath path(String value) {
        return WorkspacePath.of(value, "path", false);
    }

    static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertCode(call, ErrorCode.INVALID_REQUEST);
    }

    static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
