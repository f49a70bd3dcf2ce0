package chowder.adapter.http;

import chowder.application.port.FileEntry;
import chowder.application.port.FileListing;
import chowder.application.port.OpenFile;
import chowder.application.port.out.WorkspaceFilesPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.WorkspacePath;
import java.io.InputStream;

/** A fake of workspace storage for registered gateways only: no instance has a workspace. */
public final class NoWorkspaces implements WorkspaceFilesPort {
    @Override
    public FileListing list(InstanceId instance, WorkspacePath directory) {
        throw missing();
    }

    @Override
    public OpenFile open(InstanceId instance, WorkspacePath file) {
        throw missing();
    }

    @Override
    public FileEntry write(InstanceId instance, WorkspacePath file, InputStream content) {
        throw missing();
    }

    @Override
    public FileEntry move(InstanceId instance, WorkspacePath from, WorkspacePath to) {
        throw missing();
    }

    @Override
    public void delete(InstanceId instance, WorkspacePath path) {
        throw missing();
    }

    @Override
    public long maxFileBytes() {
        return 1024;
    }

    private static ChowderException missing() {
        return new ChowderException(ErrorCode.FILE_NOT_FOUND, "No workspace.");
    }
}
