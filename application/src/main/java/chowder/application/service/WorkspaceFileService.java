package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.FileEntry;
import chowder.application.port.FileListing;
import chowder.application.port.OpenFile;
import chowder.application.port.in.ManageWorkspaceFilesUseCase;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.WorkspaceFilesPort;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.Permission;
import chowder.domain.WorkspacePath;
import java.io.InputStream;

/** Workspace files, after the one rule for finding an instance and the {@code files} permission. */
public final class WorkspaceFileService implements ManageWorkspaceFilesUseCase {
    private final LoadInstancePort instances;
    private final WorkspaceFilesPort files;

    public WorkspaceFileService(LoadInstancePort instances, WorkspaceFilesPort files) {
        this.instances = requireNonNull(instances, "instances is null");
        this.files = requireNonNull(files, "files is null");
    }

    @Override
    public void requireAccess(Caller caller, InstanceId instance) {
        workspaceOf(caller, instance);
    }

    @Override
    public FileListing list(Caller caller, InstanceId instance, WorkspacePath directory) {
        return files.list(workspaceOf(caller, instance), directory);
    }

    @Override
    public OpenFile open(Caller caller, InstanceId instance, WorkspacePath file) {
        return files.open(workspaceOf(caller, instance), file);
    }

    @Override
    public FileEntry write(Caller caller, InstanceId instance, WorkspacePath file, InputStream content) {
        return files.write(workspaceOf(caller, instance), file, content);
    }

    @Override
    public FileEntry move(Caller caller, InstanceId instance, WorkspacePath from, WorkspacePath to) {
        return files.move(workspaceOf(caller, instance), from, to);
    }

    @Override
    public void delete(Caller caller, InstanceId instance, WorkspacePath path) {
        files.delete(workspaceOf(caller, instance), path);
    }

    @Override
    public long maxFileBytes() {
        return files.maxFileBytes();
    }

    private InstanceId workspaceOf(Caller caller, InstanceId id) {
        Instance instance = VisibleInstances.find(instances, caller, id, Permission.FILES);
        if (!instance.provisioned()) {
            throw new ChowderException(ErrorCode.FILE_NOT_FOUND,
                    "This instance has no workspace in Chowder: its gateway is not run by Chowder (sandbox_provider external).");
        }
        return instance.id();
    }
}
