package chowder.application.port;

import java.io.InputStream;

/** An open file; the caller closes it. */
public record OpenFile(FileEntry entry, InputStream content) implements AutoCloseable {
    @Override
    public void close() throws java.io.IOException {
        content.close();
    }
}
