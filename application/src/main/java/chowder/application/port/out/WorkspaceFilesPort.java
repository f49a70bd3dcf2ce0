package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/**
 * The files of a provisioned instance's workspace, confined to it: a path that leaves it (through a
 * symbolic link) is refused as an invalid request. Blocking file I/O; sizes are limited by the store.
 */
public interface WorkspaceFilesPort {
    /**
     * A file or directory of the workspace; {@code permissions} is its type and mode as {@code ls -l} shows
     * them ({@code drwxr-xr-x}, {@code -rw-r--r--}, {@code lrwxrwxrwx} for a symbolic link).
     */
    record Entry(WorkspacePath path, boolean directory, long size, Instant modifiedAt, String permissions) {
        public Entry {
            requireNonNull(path, "path is null");
            requireNonNull(modifiedAt, "modifiedAt is null");
            requireNonNull(permissions, "permissions is null");
        }
    }

    /** A directory's entries, sorted by name, at most the store's limit of them. */
    record Listing(WorkspacePath path, List<Entry> entries, boolean truncated) {
        public Listing {
            requireNonNull(path, "path is null");
            entries = List.copyOf(entries);
        }
    }

    /** An open file; the caller closes it. */
    record OpenFile(Entry entry, InputStream content) implements AutoCloseable {
        @Override
        public void close() throws java.io.IOException {
            content.close();
        }
    }

    Listing list(InstanceId instance, WorkspacePath directory);

    /** Opens a file for reading; a directory or a file over the size limit is refused. */
    OpenFile open(InstanceId instance, WorkspacePath file);

    /** Creates or replaces a file (and its missing parent directories) with {@code content}, read up to the size limit. */
    Entry write(InstanceId instance, WorkspacePath file, InputStream content);

    /** Moves a file or directory; the target must not exist. */
    Entry move(InstanceId instance, WorkspacePath from, WorkspacePath to);

    /** Deletes a file or an empty directory. */
    void delete(InstanceId instance, WorkspacePath path);

    /** The largest file it reads or writes, in bytes. */
    long maxFileBytes();
}
