package chowder.adapter.openclaw.workspace;

import static java.util.Objects.requireNonNull;

import chowder.application.port.FileEntry;
import chowder.application.port.FileListing;
import chowder.application.port.OpenFile;
import chowder.application.port.out.WorkspaceFilesPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The workspace directories of provisioned gateways ({@code <instances dir>/<id>/workspace}), which their agents
 * control and may booby-trap while Chowder works in them. Every path is resolved by the kernel beneath the workspace
 * ({@link BeneathResolver}): a link that leads out, absolute links included, is an invalid request, and no race can
 * redirect Chowder elsewhere. Only regular files with a single link are read (a FIFO, socket or device is refused
 * without being opened; a hard link's other names could be anywhere); writes go to a temporary file that replaces the
 * target, so a link at the target is replaced, never written through; what Chowder creates belongs to the
 * workspace's owner (the instance's sandbox user).
 */
public final class LocalWorkspaceFiles implements WorkspaceFilesPort {
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    /** Levels below a deleted directory: a skill's tree, its node_modules included, is far shallower. */
    static final int MAX_TREE_DEPTH = 64;
    private final Path instancesDir;
    private final long maxFileBytes;
    private final int maxListEntries;

    public LocalWorkspaceFiles(Path instancesDir, long maxFileBytes, int maxListEntries) {
        this.instancesDir = requireNonNull(instancesDir, "instancesDir is null");
        this.maxFileBytes = maxFileBytes;
        this.maxListEntries = maxListEntries;
        String fileNames = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (!fileNames.equalsIgnoreCase("UTF-8")) {
            // The JVM names files in the locale's character set, fixed at its start (no -D changes it).
            org.slf4j.LoggerFactory.getLogger(LocalWorkspaceFiles.class).warn("File names are in {} (the locale's character set): "
                    + "workspace files named with other characters can be neither written nor listed through the API; start "
                    + "Chowder under a UTF-8 locale (LC_ALL=C.UTF-8, as the installed launcher does)", fileNames);
        }
    }

    @Override
    public FileListing list(InstanceId instance, WorkspacePath directory) {
        try (Workspace workspace = Workspace.open(instancesDir, instance); WorkspaceNode node = workspace.resolve(directory)) {
            if (!node.attributes().isDirectory()) {
                throw ChowderException.invalidRequest("path is a file, not a directory; read or download it instead.");
            }
            // The first names in order, kept in a bounded heap: a directory of a million files costs the limit, not a million.
            PriorityQueue<String> firstNames = new PriorityQueue<>(maxListEntries + 1, Comparator.reverseOrder());
            long count = 0;
            try (DirectoryStream<Path> children = Files.newDirectoryStream(node.path())) {
                for (Path child : children) {
                    String name = child.getFileName().toString();
                    String path = directory.isRoot() ? name : directory.value() + "/" + name;
                    // A name the API cannot address (a backslash, a control character, bytes that are not UTF-8, a path
                    // over the length limit: the agent may make any) is left out, rather than failing the whole listing.
                    if (!WorkspacePath.isValid(path) || !namesItself(child.getFileName(), name)) {
                        continue;
                    }
                    firstNames.add(name);
                    if (firstNames.size() > maxListEntries) {
                        firstNames.poll();
                    }
                    count++;
                }
            }
            List<String> names = new ArrayList<>(firstNames);
            names.sort(Comparator.naturalOrder());
            List<FileEntry> entries = new ArrayList<>(names.size());
            for (String name : names) {
                WorkspacePath path = new WorkspacePath(directory.isRoot() ? name : directory.value() + "/" + name);
                Path child = node.path().resolve(name);
                try {
                    PosixFileAttributes attributes = Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    entries.add(FileEntries.entry(path, attributes, attributes.isOther() ? FileEntries.specialType(child) : '-'));
                } catch (NoSuchFileException removedMeanwhile) {
                    // the agent removed it while we listed
                }
            }
            return new FileListing(directory, entries, count > maxListEntries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether {@code name}, the text of a directory entry's {@code fileName}, names that entry again: bytes that are not
     * UTF-8 decode to U+FFFD, which names another file (a real {@code café} for {@code caf\xe9}) or none, and a name the
     * JVM's file-name charset cannot encode names nothing.
     */
    private static boolean namesItself(Path fileName, String name) {
        try {
            return fileName.getFileSystem().getPath(name).equals(fileName);
        } catch (java.nio.file.InvalidPathException unencodable) {
            return false;
        }
    }

    @Override
    public OpenFile open(InstanceId instance, WorkspacePath file) {
        try (Workspace workspace = Workspace.open(instancesDir, instance); WorkspaceNode node = workspace.resolve(file)) {
            PosixFileAttributes attributes = node.attributes();
            if (attributes.isDirectory()) {
                throw ChowderException.invalidRequest("path is a directory; list it instead.");
            }
            requireSingleRegularFile(node, attributes);
            if (attributes.size() > maxFileBytes) {
                throw tooLarge();
            }
            // Reopens the very inode checked above: a name swapped meanwhile does not matter.
            InputStream content = Files.newInputStream(node.path());
            return new OpenFile(FileEntries.entry(file, attributes), new BoundedInputStream(content, maxFileBytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public FileEntry write(InstanceId instance, WorkspacePath file, InputStream content) {
        return write(instance, file, content, false);
    }

    /** Like {@link #write(InstanceId, WorkspacePath, InputStream)}; an {@code executable} file gets mode 755. */
    public FileEntry write(InstanceId instance, WorkspacePath file, InputStream content, boolean executable) {
        if (file.isRoot()) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "path is a directory.");
        }
        try (Workspace workspace = Workspace.open(instancesDir, instance); WorkspaceNode parent = workspace.parentCreating(file)) {
            Path target = parent.path().resolve(file.name());
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new ChowderException(ErrorCode.FILE_CONFLICT, "path is a directory.");
            }
            // Written through the descriptor that created it (never reopened by name, which the agent could swap for a FIFO).
            Path temporary = parent.path().resolve(".chowder-upload-" + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try {
                try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(temporary,
                        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                        // Its mode is given at creation, never set by name afterwards: the directory is the agent's, which could
                        // swap the name for a link to a host file, and the JDK's chmod follows links even when told not to.
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"))))) {
                    copyWithinLimit(content, out);
                }
                workspace.giveToOwner(temporary);
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                temporary = null;
            } finally {
                deleteQuietly(temporary);
            }
            return FileEntries.entry(file, Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public FileEntry move(InstanceId instance, WorkspacePath from, WorkspacePath to) {
        if (from.isRoot() || to.isRoot()) {
            throw ChowderException.invalidRequest("The workspace itself cannot be moved.");
        }
        if (to.value().startsWith(from.value() + "/")) {
            throw intoItself();
        }
        try (Workspace workspace = Workspace.open(instancesDir, instance); WorkspaceNode sourceParent = workspace.parent(from)) {
            Path source = sourceParent.path().resolve(from.name());
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw Workspace.notFound();
            }
            try (WorkspaceNode targetParent = workspace.parentCreating(to)) {
                Path target = targetParent.path().resolve(to.name());
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ChowderException(ErrorCode.FILE_CONFLICT, "to already exists.");
                }
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
                return FileEntries.entry(to, Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
            }
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "to already exists.");
        } catch (FileSystemException e) {
            // rename(2) says EINVAL when the target is inside the source, however links got it there.
            if ("Invalid argument".equals(e.getReason())) {
                throw intoItself();
            }
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(InstanceId instance, WorkspacePath path) {
        if (path.isRoot()) {
            throw ChowderException.invalidRequest("The workspace itself cannot be deleted.");
        }
        try (Workspace workspace = Workspace.open(instancesDir, instance); WorkspaceNode parent = workspace.parent(path)) {
            Files.delete(parent.path().resolve(path.name()));
        } catch (DirectoryNotEmptyException e) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "The directory is not empty.");
        } catch (NoSuchFileException e) {
            throw Workspace.notFound();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes a file or a whole directory tree; nothing when it does not exist. The tree is walked through directory
     * descriptors ({@link SecureDirectoryStream}): a link the agent swaps in meanwhile is removed itself, never followed.
     * At most {@value #MAX_TREE_DEPTH} levels below {@code path}: the agent shapes the tree, and each level holds a stream
     * (two descriptors) and a path as long as the levels above it, so a tree thousands of levels deep once made one
     * call hold about a gigabyte of Chowder's heap (Guava's walk, which stopped only at the thread's stack).
     */
    public void deleteTree(InstanceId instance, WorkspacePath path) {
        if (path.isRoot()) {
            throw ChowderException.invalidRequest("The workspace itself cannot be deleted.");
        }
        try (Workspace workspace = Workspace.open(instancesDir, instance); WorkspaceNode parent = workspace.parent(path)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(parent.path())) {
                if (!(stream instanceof SecureDirectoryStream<Path> directory)) {
                    throw new IOException("this file system cannot delete a tree without following links");
                }
                deleteEntry(directory, parent.path().getFileSystem().getPath(path.name()), 0, path);
            }
        } catch (NoSuchFileException e) {
            // Gone already (or meanwhile): nothing to delete.
        } catch (ChowderException e) {
            if (e.code() != ErrorCode.FILE_NOT_FOUND) {
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteEntry(SecureDirectoryStream<Path> directory, Path name, int depth, WorkspacePath tree) throws IOException {
        try {
            boolean isDirectory = directory.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes().isDirectory();
            if (!isDirectory) {
                directory.deleteFile(name);
                return;
            }
            if (depth > MAX_TREE_DEPTH) {
                throw new ChowderException(ErrorCode.FILE_CONFLICT, tree.value() + " is nested more than " + MAX_TREE_DEPTH
                        + " levels deep, too deep to be removed through the API; remove its deepest directories from inside the "
                        + "workspace first.");
            }
            try (SecureDirectoryStream<Path> children = directory.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                for (Path child : children) {
                    deleteEntry(children, child.getFileName(), depth + 1, tree);
                }
            }
            directory.deleteDirectory(name);
        } catch (NoSuchFileException goneMeanwhile) {
            // The agent (live meanwhile) removed it first: this entry is done, and the walk goes on with the others.
        }
    }

    @Override
    public long maxFileBytes() {
        return maxFileBytes;
    }

    private static void requireSingleRegularFile(WorkspaceNode node, PosixFileAttributes attributes) throws IOException {
        if (!attributes.isRegularFile()) {
            throw ChowderException.invalidRequest("path is not a regular file (a FIFO, socket or device); it is not opened.");
        }
        if (((Number) Files.getAttribute(node.path(), "unix:nlink")).intValue() > 1) {
            throw ChowderException.invalidRequest("path has several hard links, whose other names may lie outside the workspace; "
                    + "it is not opened.");
        }
    }

    private void copyWithinLimit(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            total += read;
            if (total > maxFileBytes) {
                throw tooLarge();
            }
            out.write(buffer, 0, read);
        }
    }

    private ChowderException tooLarge() {
        return new ChowderException(ErrorCode.PAYLOAD_TOO_LARGE, "Files are limited to " + maxFileBytes + " bytes.");
    }

    private static ChowderException intoItself() {
        return ChowderException.invalidRequest("A directory cannot be moved into itself.");
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }
}
