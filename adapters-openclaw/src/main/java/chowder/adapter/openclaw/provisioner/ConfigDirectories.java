package chowder.adapter.openclaw.provisioner;

import chowder.domain.InstanceId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where provisioned gateways' configs live: {@code <root>/<instance id>/openclaw.json} under a directory on a memory
 * file system ({@code CHOWDER_RUNTIME_DIR}, by default {@code /dev/shm/chowder-<uid>}), because a config holds the
 * instance's skill secrets and must never be on disk. Chowder writes each config again at every start, so nothing
 * is lost when the memory file system is (at a reboot). The root must be Chowder's own, mode 700, and no link: in a
 * world-writable {@code /dev/shm}, another user could have made it first.
 */
final class ConfigDirectories {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path root;

    ConfigDirectories(Path root) {
        this.root = root;
    }

    /** The instance's config directory, created (mode 700) with the root when missing. */
    Path of(InstanceId instance) throws IOException {
        ensureRoot();
        Path directory = root.resolve(instance.toString());
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        return directory;
    }

    /** Removes the instance's config (its skill secrets with it); nothing when there is none. */
    void remove(InstanceId instance) throws IOException {
        Path directory = root.resolve(instance.toString());
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            com.google.common.io.MoreFiles.deleteRecursively(directory);
        }
    }

    private void ensureRoot() throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(root.getParent());
            try {
                Files.createDirectory(root, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // checked below like any existing one
            }
        }
        PosixFileAttributes attributes = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int self = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        int owner = ((Number) Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
        if (!attributes.isDirectory() || owner != self) {
            throw new IOException(root + " (CHOWDER_RUNTIME_DIR) is not a directory of Chowder's own user: another user may have "
                    + "made it to read gateways' configs. Remove it, or set CHOWDER_RUNTIME_DIR to a directory only Chowder can write.");
        }
        if (!attributes.permissions().equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(root, OWNER_ONLY);
        }
    }
}
