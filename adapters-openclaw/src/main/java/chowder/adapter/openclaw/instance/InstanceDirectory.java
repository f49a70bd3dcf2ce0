package chowder.adapter.openclaw.instance;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The private directory of one provisioned instance ({@code <instances dir>/<instance id>}, mode 700): the
 * gateway's state (sessions), the agent's workspace, a home directory, and logs. Shared by the provisioner, which
 * makes and removes it, and the workspace files, which work beneath its {@code workspace}.
 */
public record InstanceDirectory(Path root) {
    /** Written when the instance is deleted: its directory stays for the retention, its workspace is gone. */
    public static final String DELETED_MARKER = "deleted-at";

    public InstanceDirectory {
        requireNonNull(root, "root is null");
    }

    public static InstanceDirectory of(Path instancesDir, InstanceId id) {
        return new InstanceDirectory(instancesDir.resolve(id.toString()));
    }

    /** Creates the directories that do not exist yet; existing state and workspace are kept. */
    public InstanceDirectory create() throws IOException {
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

    public Path state() {
        return root.resolve("state");
    }

    public Path workspace() {
        return root.resolve("workspace");
    }

    public Path home() {
        return root.resolve("home");
    }

    /** The gateway's stdout and stderr, from its latest launch. */
    public Path consoleLog() {
        return root.resolve("gateway.log");
    }

    /** What Chowder keeps for the instance's sandbox: its {@code /etc} files, seccomp program and network log. */
    public Path sandbox() {
        return root.resolve("sandbox");
    }

    /** The pid of the latest gateway process, to find it after Chowder itself was killed. */
    public Path pidFile() {
        return root.resolve("gateway.pid");
    }
}
