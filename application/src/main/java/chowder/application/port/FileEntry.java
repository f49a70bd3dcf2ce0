package chowder.application.port;

import static java.util.Objects.requireNonNull;

import chowder.domain.WorkspacePath;
import java.time.Instant;

/**
 * A file or directory of the workspace; {@code permissions} is its type and mode as {@code ls -l} shows
 * them ({@code drwxr-xr-x}, {@code -rw-r--r--}, {@code lrwxrwxrwx} for a symbolic link).
 */
public record FileEntry(WorkspacePath path, boolean directory, long size, Instant modifiedAt, String permissions) {
    public FileEntry {
        requireNonNull(path, "path is null");
        requireNonNull(modifiedAt, "modifiedAt is null");
        requireNonNull(permissions, "permissions is null");
    }
}
