package chowder.adapter.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/**
 * Secrets kept in files of mode 600 (the master key, the database password): created atomically, so processes
 * starting together agree on one value, and written as one line.
 */
public final class OwnerOnlyFiles {
    private OwnerOnlyFiles() {}

    /** The file's value, or a new one from {@code create} written into a new file if there was none. */
    public static String readOrCreate(Path file, Supplier<String> create) throws IOException {
        if (Files.notExists(file)) {
            Files.createDirectories(file.getParent());
            try {
                Path created = Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(created, create.get() + "\n", StandardCharsets.US_ASCII);
            } catch (FileAlreadyExistsException concurrentlyCreated) {
                // Another process created it first; read theirs below.
            }
        }
        return read(file);
    }

    /** The file's value, waiting briefly for a concurrently created file to be written. */
    public static String read(Path file) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            String content = Files.readString(file, StandardCharsets.US_ASCII);
            if (content.endsWith("\n")) {
                return content.strip();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }
}
