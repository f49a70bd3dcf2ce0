package chowder.adapter.openclaw.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/** An {@code O_PATH} descriptor of one file or directory of a workspace. */
record WorkspaceNode(int fd) implements AutoCloseable {
    Path path() {
        return BeneathResolver.procPath(fd);
    }

    /** The attributes of the object itself (the descriptor is followed, never a name). */
    PosixFileAttributes attributes() throws IOException {
        try {
            return Files.readAttributes(path(), PosixFileAttributes.class);
        } catch (NotDirectoryException | NoSuchFileException e) {
            throw Workspace.notFound();
        }
    }

    @Override
    public void close() {
        BeneathResolver.close(fd);
    }
}
