package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.WorkspaceFilesPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * The workspace directories of provisioned gateways ({@code <instances dir>/<id>/workspace}). Every path
 * is resolved lexically under the workspace, then its deepest existing part is resolved through symbolic
 * links and must still be inside: a link that leads out is an invalid request. Writes go to a temporary
 * file that replaces the target, so a link at the target is replaced, never followed.
 */
final class LocalWorkspaceFiles implements WorkspaceFilesPort {
    private final Path instancesDir;
    private final long maxFileBytes;
    private final int maxListEntries;

    LocalWorkspaceFiles(Path instancesDir, long maxFileBytes, int maxListEntries) {
        this.instancesDir = requireNonNull(instancesDir, "instancesDir is null");
        this.maxFileBytes = maxFileBytes;
        this.maxListEntries = maxListEntries;
    }

    @Override
    public Listing list(InstanceId instance, WorkspacePath directory) {
        Path root = root(instance);
        Path real = existing(root, directory);
        if (!Files.isDirectory(real)) {
            throw ChowderException.invalidRequest("path is a file, not a directory; read or download it instead.");
        }
        // The first names in order, kept in a bounded heap: a directory of a million files costs the limit, not a million.
        PriorityQueue<String> firstNames = new PriorityQueue<>(maxListEntries + 1, Comparator.reverseOrder());
        long count = 0;
        try (Stream<Path> children = Files.list(real)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                firstNames.add(child.getFileName().toString());
                if (firstNames.size() > maxListEntries) {
                    firstNames.poll();
                }
                count++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>(firstNames);
        names.sort(Comparator.naturalOrder());
        List<Entry> entries = new ArrayList<>(names.size());
        for (String name : names) {
            entries.add(entry(real.resolve(name), new WorkspacePath(directory.isRoot() ? name : directory.value() + "/" + name)));
        }
        return new Listing(directory, entries, count > maxListEntries);
    }

    @Override
    public OpenFile open(InstanceId instance, WorkspacePath file) {
        Path real = existing(root(instance), file);
        Entry entry = entry(real, file);
        if (entry.directory()) {
            throw ChowderException.invalidRequest("path is a directory; list it instead.");
        }
        if (entry.size() > maxFileBytes) {
            throw tooLarge();
        }
        try {
            return new OpenFile(entry, Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Entry write(InstanceId instance, WorkspacePath file, InputStream content) {
        Path root = root(instance);
        Path target = confined(root, file);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "path is a directory.");
        }
        Path temporary = null;
        try {
            Files.createDirectories(target.getParent());
            // Created again: a link may have appeared meanwhile; the real parent must still be inside.
            confined(root, file);
            temporary = Files.createTempFile(target.getParent(), ".chowder-upload-", ".tmp");
            try (OutputStream out = Files.newOutputStream(temporary, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                copyWithinLimit(content, out);
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
            return entry(target, file);
        } catch (FileAlreadyExistsException e) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "A parent of path is a file.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    @Override
    public Entry move(InstanceId instance, WorkspacePath from, WorkspacePath to) {
        Path root = root(instance);
        if (from.isRoot() || to.isRoot()) {
            throw ChowderException.invalidRequest("The workspace itself cannot be moved.");
        }
        existing(root, from);
        Path source = confined(root, from);
        Path target = confined(root, to);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "to already exists.");
        }
        if (to.value().startsWith(from.value() + "/")) {
            throw ChowderException.invalidRequest("A directory cannot be moved into itself.");
        }
        try {
            Files.createDirectories(target.getParent());
            confined(root, to);
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            return entry(target, to);
        } catch (FileAlreadyExistsException e) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "to already exists, or a parent of it is a file.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(InstanceId instance, WorkspacePath path) {
        Path root = root(instance);
        if (path.isRoot()) {
            throw ChowderException.invalidRequest("The workspace itself cannot be deleted.");
        }
        existing(root, path);
        try {
            Files.delete(confined(root, path));
        } catch (DirectoryNotEmptyException e) {
            throw new ChowderException(ErrorCode.FILE_CONFLICT, "The directory is not empty.");
        } catch (NoSuchFileException e) {
            throw notFound();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long maxFileBytes() {
        return maxFileBytes;
    }

    /** The real path of the instance's workspace; a deleted instance's is gone. */
    private Path root(InstanceId instance) {
        InstanceDirectory directory = InstanceDirectory.of(instancesDir, instance);
        if (Files.exists(directory.root().resolve(InstanceDirectory.DELETED_MARKER))) {
            throw notFound();
        }
        try {
            return directory.workspace().toRealPath();
        } catch (IOException e) {
            throw new ChowderException(ErrorCode.FILE_NOT_FOUND, "This instance's workspace does not exist yet.");
        }
    }

    /**
     * The path under the workspace, after checking that its deepest existing part, links resolved, is
     * inside it. The returned path itself is lexical (a link at its end is not resolved).
     */
    private static Path confined(Path root, WorkspacePath path) {
        Path lexical = root;
        for (String segment : path.segments()) {
            lexical = lexical.resolve(segment);
        }
        Path existing = lexical;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        try {
            if (!existing.toRealPath().startsWith(root)) {
                throw outside();
            }
        } catch (NoSuchFileException e) {
            // a dangling link: where it leads is not ours to create
            throw outside();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lexical;
    }

    /** The real path of an existing file or directory inside the workspace. */
    private static Path existing(Path root, WorkspacePath path) {
        Path lexical = confined(root, path);
        if (!Files.exists(lexical, LinkOption.NOFOLLOW_LINKS)) {
            throw notFound();
        }
        try {
            return lexical.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Entry entry(Path file, WorkspacePath path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Entry(path, attributes.isDirectory(), attributes.isDirectory() ? 0 : attributes.size(),
                    attributes.lastModifiedTime().toInstant(), permissions(file, attributes));
        } catch (NoSuchFileException e) {
            throw notFound();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Type and mode as {@code ls -l} shows them, as the hosted API lists them; owner bits only where POSIX modes are unknown. */
    private static String permissions(Path file, BasicFileAttributes attributes) throws IOException {
        char type = attributes.isDirectory() ? 'd' : attributes.isSymbolicLink() ? 'l' : '-';
        String mode;
        try {
            mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException e) {
            mode = (Files.isReadable(file) ? "r" : "-") + (Files.isWritable(file) ? "w" : "-") + (Files.isExecutable(file) ? "x" : "-")
                    + "------";
        }
        return type + mode;
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

    private static ChowderException outside() {
        return ChowderException.invalidRequest("path leads outside the workspace through a symbolic link.");
    }

    private static ChowderException notFound() {
        return new ChowderException(ErrorCode.FILE_NOT_FOUND, "File not found.");
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
