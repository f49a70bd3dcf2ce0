package chowder.adapter.openclaw.workspace;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** An open workspace of one instance: the {@code O_PATH} descriptor of its root and its owner. */
final class Workspace implements AutoCloseable {
    private final int rootFd;
    private final int ownerUid;
    private final int ownerGid;
    private final boolean chown;

    private Workspace(int rootFd, int ownerUid, int ownerGid, boolean chown) {
        this.rootFd = rootFd;
        this.ownerUid = ownerUid;
        this.ownerGid = ownerGid;
        this.chown = chown;
    }

    /** The workspace of a live instance; a deleted instance's is gone. */
    static Workspace open(Path instancesDir, InstanceId instance) throws IOException {
        InstanceDirectory directory = InstanceDirectory.of(instancesDir, instance);
        if (Files.exists(directory.root().resolve(InstanceDirectory.DELETED_MARKER))) {
            throw notFound();
        }
        int fd;
        try {
            fd = BeneathResolver.openRoot(directory.workspace());
        } catch (BeneathResolver.ResolveException e) {
            throw new ChowderException(ErrorCode.FILE_NOT_FOUND, "This instance's workspace does not exist yet.");
        }
        try {
            Path root = BeneathResolver.procPath(fd);
            int uid = ((Number) Files.getAttribute(root, "unix:uid")).intValue();
            int gid = ((Number) Files.getAttribute(root, "unix:gid")).intValue();
            int self = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
            return new Workspace(fd, uid, gid, uid != self);
        } catch (IOException | RuntimeException e) {
            BeneathResolver.close(fd);
            throw e;
        }
    }

    /** The object at {@code path} (links inside followed); the workspace itself for the root. */
    WorkspaceNode resolve(WorkspacePath path) {
        return resolve(path.value(), false);
    }

    /** The directory that holds {@code path}'s last segment. */
    WorkspaceNode parent(WorkspacePath path) throws IOException {
        WorkspaceNode parent = resolve(parentOf(path), false);
        requireDirectory(parent, false);
        return parent;
    }

    /** Like {@link #parent}, creating missing directories (owned like the workspace) on the way. */
    WorkspaceNode parentCreating(WorkspacePath path) throws IOException {
        List<String> segments = path.segments();
        WorkspaceNode current = resolve("", false);
        StringBuilder prefix = new StringBuilder();
        for (String segment : segments.subList(0, segments.size() - 1)) {
            prefix.append(prefix.isEmpty() ? "" : "/").append(segment);
            Path child = current.path().resolve(segment);
            if (!Files.exists(child, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(child);
                    giveToOwner(child);
                } catch (FileAlreadyExistsException raced) {
                    // made meanwhile: resolved below like any other
                }
            }
            current.close();
            current = resolve(prefix.toString(), true);
            requireDirectory(current, true);
        }
        return current;
    }

    /** Gives what Chowder just created to the workspace's owner, so the agent can change it like its own files. */
    void giveToOwner(Path created) throws IOException {
        if (chown) {
            Files.setAttribute(created, "unix:uid", ownerUid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(created, "unix:gid", ownerGid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private WorkspaceNode resolve(String relative, boolean writing) {
        if (relative.isEmpty()) {
            try {
                return new WorkspaceNode(BeneathResolver.openBeneath(rootFd, "."));
            } catch (BeneathResolver.ResolveException e) {
                throw new UncheckedIOException(new IOException(e.getMessage()));
            }
        }
        try {
            return new WorkspaceNode(BeneathResolver.openBeneath(rootFd, relative));
        } catch (BeneathResolver.ResolveException e) {
            throw switch (e.errno()) {
                case BeneathResolver.ENOENT -> notFound();
                case BeneathResolver.ENOTDIR -> writing
                        ? new ChowderException(ErrorCode.FILE_CONFLICT, "A parent of path is a file.")
                        : notFound();
                case BeneathResolver.EXDEV -> ChowderException.invalidRequest(
                        "path leads outside the workspace through a symbolic link (absolute links are never followed).");
                case BeneathResolver.ELOOP -> ChowderException.invalidRequest("path has too many levels of symbolic links.");
                default -> new UncheckedIOException(new IOException(e.getMessage() + " (errno " + e.errno() + ")"));
            };
        }
    }

    private static void requireDirectory(WorkspaceNode node, boolean writing) throws IOException {
        if (!node.attributes().isDirectory()) {
            node.close();
            throw writing ? new ChowderException(ErrorCode.FILE_CONFLICT, "A parent of path is a file.") : notFound();
        }
    }

    private static String parentOf(WorkspacePath path) {
        int slash = path.value().lastIndexOf('/');
        return slash < 0 ? "" : path.value().substring(0, slash);
    }

    /** The failure every way of reaching a missing (or hidden) workspace file ends in, so they all read alike. */
    static ChowderException notFound() {
        return new ChowderException(ErrorCode.FILE_NOT_FOUND, "File not found.");
    }

    @Override
    public void close() {
        BeneathResolver.close(rootFd);
    }
}
