package chowder.adapter.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** H2 files in a directory of their own; served to every pool of the test's JVM (AUTO_SERVER), as several nodes share one. */
final class H2Database implements TestDatabase {
    private final Path directory;

    H2Database() {
        try {
            directory = Files.createTempDirectory("chowder-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:h2:file:" + directory.resolve("chowder") + ";AUTO_SERVER=TRUE";
    }

    @Override
    public String user() {
        return "sa";
    }

    @Override
    public String emptyDatabaseUrl() {
        return "jdbc:h2:file:" + directory.resolve("empty");
    }

    @Override
    public void drop() {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
