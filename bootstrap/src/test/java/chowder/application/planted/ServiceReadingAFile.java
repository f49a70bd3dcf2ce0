package chowder.application.planted;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A planted violation for {@code ArchitectureRulesFailTest}: application code reading the file system. */
public final class ServiceReadingAFile {
    String read(Path path) throws IOException {
        return Files.readString(path);
    }
}
