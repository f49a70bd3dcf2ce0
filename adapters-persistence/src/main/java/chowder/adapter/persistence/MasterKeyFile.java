package chowder.adapter.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master key kept in {@code master.key} (mode 600) in the data directory, when no variable holds it: created
 * atomically by the first server, so servers starting together agree on one key; replaced only by a rotation, through
 * a {@code .next} file moved over it once the database has committed, so no crash loses the key in use.
 */
public record MasterKeyFile(Path file) {
    public static final String NAME = "master.key";
    private static final Logger log = LoggerFactory.getLogger(MasterKeyFile.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    public static MasterKeyFile in(Path dataDir) {
        return new MasterKeyFile(dataDir.resolve(NAME));
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /**
     * The key in the file, created if there is none. Throws {@link IOException} when it cannot be read or created and
     * {@link IllegalArgumentException} when it holds no key (the message never quotes the file's content).
     */
    public MasterKey loadOrCreate() throws IOException {
        String content = OwnerOnlyFiles.readOrCreate(file, () -> {
            log.info("Created a new master key in {} (mode 600). Back it up: without it, stored gateway tokens cannot be read.", file);
            return MasterKey.generate(new SecureRandom()).toBase64();
        });
        if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            log.warn("{} is readable by others than its owner; run: chmod 600 {}", file, file);
        }
        return MasterKey.fromBase64(content);
    }

    /** Writes the next key beside the file; {@link Replacement#commit()} puts it in place once the database holds it. */
    public Replacement prepareReplacement(MasterKey next) throws IOException {
        Path nextFile = file.resolveSibling(file.getFileName() + ".next");
        Files.deleteIfExists(nextFile);
        Files.createFile(nextFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(nextFile, next.toBase64() + "\n", StandardCharsets.US_ASCII);
        return new Replacement(nextFile, file);
    }

    /** A next key written beside the key file, not yet in use. */
    public record Replacement(Path nextFile, Path file) {
        public void commit() throws IOException {
            Files.move(nextFile, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
