package chowder.bootstrap;

import chowder.adapter.persistence.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory: the H2 database, its lock file (which holds the address and key of H2's server), the master
 * key and the database password. Only Chowder's OS user may read it: the server creates it with mode 700 and takes
 * group and other access away from an existing one and from the files in it (H2 creates its files with the
 * process's umask), saying so in the log.
 */
final class DataDirectory {
    static final String PASSWORD_FILE = "database.password";
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);
    private static final int STICKY_BIT = 01000;
    private static final int PASSWORD_BYTES = 32;

    private DataDirectory() {}

    /** For a server: creates the directory (mode 700), or makes an existing one and its files private to the owner. */
    static void prepare(Path directory) {
        try {
            if (Files.notExists(directory)) {
                Files.createDirectories(directory.getParent());
                try {
                    Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException concurrentlyCreated) {
                    // Another process created it first; it is tightened below like any existing one.
                }
            }
            restrict(directory, true);
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot create or protect the data directory " + directory + " ("
                    + ChowderConfig.DATA_DIR + "): " + e.getMessage());
        }
    }

    /** After the database was opened: its new files (the lock file, say) are made private too, without a log line. */
    static void restrictNewFiles(Path directory) {
        if (Files.isDirectory(directory)) {
            try {
                restrict(directory, false);
            } catch (IOException e) {
                log.warn("Could not make the files in {} private to their owner: {}", directory, e.toString());
            }
        }
    }

    /** The H2 password of a server: generated once into {@code database.password} (mode 600). */
    static String databasePassword(Path directory) {
        Path file = directory.resolve(PASSWORD_FILE);
        try {
            return OwnerOnlyFiles.readOrCreate(file, () -> {
                byte[] random = new byte[PASSWORD_BYTES];
                new SecureRandom().nextBytes(random);
                log.info("Created the embedded database's password in {} (mode 600). Back it up with the database.", file);
                return HexFormat.of().formatHex(random);
            });
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot read or create the database password file " + file + ": " + e.getMessage());
        }
    }

    /** The H2 password of a command: the server's file, or none when there is none (a database from before passwords). */
    static Optional<String> existingDatabasePassword(Path directory) {
        Path file = directory.resolve(PASSWORD_FILE);
        if (Files.notExists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(OwnerOnlyFiles.read(file));
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot read the database password file " + file + ": " + e.getMessage());
        }
    }

    private static void restrict(Path directory, boolean report) throws IOException {
        // A shared directory such as /tmp (sticky bit) must not be taken away from everybody else.
        if (Files.getAttribute(directory, "unix:mode") instanceof Integer mode && (mode & STICKY_BIT) != 0) {
            throw new InvalidConfigurationException(ChowderConfig.DATA_DIR + "=" + directory
                    + " is a shared directory (sticky bit); give Chowder a directory of its own");
        }
        List<String> restricted = new ArrayList<>();
        if (removeOthersAccess(directory)) {
            restricted.add(".");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS) && removeOthersAccess(entry)) {
                    restricted.add(entry.getFileName().toString());
                }
            }
        }
        if (report && !restricted.isEmpty()) {
            log.warn("The data directory {} was open to other users: took group and other access away from {} (now rwx------ and rw-------)",
                    directory, restricted);
        }
    }

    /** @return whether the file had group or other permissions */
    private static boolean removeOthersAccess(Path path) throws IOException {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            if (permissions.stream().noneMatch(NOT_OWNER::contains)) {
                return false;
            }
            permissions.removeAll(NOT_OWNER);
            Files.setPosixFilePermissions(path, permissions);
            return true;
        } catch (NoSuchFileException removedMeanwhile) {
            // H2 deletes its temporary files while we look.
            return false;
        }
    }
}
