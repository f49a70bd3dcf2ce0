package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.application.port.FileEntry;
import chowder.application.port.FileListing;
import chowder.application.port.OpenFile;
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



    FileListing list(InstanceId instance, WorkspacePath directory);

    /** Opens a file for reading; a directory or a file over the size limit is refused. */
    OpenFile open(InstanceId instance, WorkspacePath file);

    /** Creates or replaces a file (and its missing parent directories) with {@code content}, read up to the size limit. */
    FileEntry write(InstanceId instance, WorkspacePath file, InputStream content);

    /** Moves a file or directory; the target must not exist. */
    FileEntry move(InstanceId instance, WorkspacePath from, WorkspacePath to);

    /** Deletes a file or an empty directory. */
    void delete(InstanceId instance, WorkspacePath path);

    /** The largest file it reads or writes, in bytes. */
    long maxFileBytes();
}
