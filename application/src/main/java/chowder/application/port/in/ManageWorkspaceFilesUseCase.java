package chowder.application.port.in;

import chowder.application.port.FileEntry;
import chowder.application.port.FileListing;
import chowder.application.port.OpenFile;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.InputStream;

/**
 * The workspace files of an instance whose gateway Chowder runs: organization keys, or scoped keys with
 * the {@code files} permission. Other instances have no workspace here (not found).
 */
public interface ManageWorkspaceFilesUseCase {
    /** Throws what any other method would for this caller and instance (404, 403) before a body is read. */
    void requireAccess(Caller caller, InstanceId instance);

    FileListing list(Caller caller, InstanceId instance, WorkspacePath directory);

    /** The caller closes the file. */
    OpenFile open(Caller caller, InstanceId instance, WorkspacePath file);

    FileEntry write(Caller caller, InstanceId instance, WorkspacePath file, InputStream content);

    FileEntry move(Caller caller, InstanceId instance, WorkspacePath from, WorkspacePath to);

    void delete(Caller caller, InstanceId instance, WorkspacePath path);

    /** The largest file that can be read or written, in bytes. */
    long maxFileBytes();
}
