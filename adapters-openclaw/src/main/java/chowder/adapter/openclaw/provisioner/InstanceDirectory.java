package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The private directory of one provisioned instance ({@code <instances dir>/<instance id>}, mode 700): the
 * gateway's state (sessions), the agent's workspace, a home directory, and logs.
 */
record InstanceDirectory(Path root) {
    static final String DELETED_MARKER = "deleted-at";

    InstanceDirectory {
        requireNonNull(root, "root is null");
    }

    static InstanceDirectory of(Path instancesDir, InstanceId id) {
        return new InstanceDirectory(instancesDir.resolve(id.toString()));
    }

    /** Creates the directories that do not exist yet; existing state and workspace are kept. */
    InstanceDirectory create() throws IOException {
        Files.createDirectories(root.getParent());
        if (!Files.isDirectory(root)) {
            Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.createDirectories(state());
        Files.createDirectories(workspace());
        Files.createDirectories(home());
        Files.deleteIfExists(root.resolve(DELETED_MARKER));
        return this;
    }

    Path state() {
        return root.resolve("state");
    }

    Path workspace() {
        return root.resolve("workspace");
    }

    Path home() {
        return root.resolve("home");
    }

    /** The gateway's stdout and stderr, from its latest launch. */
    Path consoleLog() {
        return root.resolve("gateway.log");
    }

    /** What Chowder keeps for the instance's sandbox: its {@code /etc} files, seccomp program and network log. */
    Path sandbox() {
        return root.resolve("sandbox");
    }

    /** The pid of the latest gateway process, to find it after Chowder itself was killed. */
    Path pidFile() {
        return root.resolve("gateway.pid");
    }
}
