package chowder.application.port;

import static java.util.Objects.requireNonNull;

import chowder.domain.WorkspacePath;
import java.util.List;

/** A directory's entries, sorted by name, at most the store's limit of them. */
public record FileListing(WorkspacePath path, List<FileEntry> entries, boolean truncated) {
    public FileListing {
        requireNonNull(path, "path is null");
        entries = List.copyOf(entries);
    }
}
