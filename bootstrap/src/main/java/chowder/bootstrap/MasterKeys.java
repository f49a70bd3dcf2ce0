package chowder.bootstrap;

import chowder.adapter.persistence.MasterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the master key: {@code CHOWDER_MASTER_KEY} when set, else {@code master.key} in the data
 * directory, created by the server on first use with mode 600 (creation is atomic, so servers starting
 * together agree on one key). Commands only read it.
 */
final class MasterKeys {
    static final String FILE_NAME = "master.key";
    private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private MasterKeys() {}

    static MasterKey load(ChowderConfig config) {
        if (config.masterKey().isPresent()) {
            return fromEnvironment(config);
        }
        if (!config.usesH2()) {
            log.warn("No {} is set: using {} in {}. Every node sharing this database needs the same key; set {} on all of them.",
                    ChowderConfig.MASTER_KEY, FILE_NAME, config.dataDir(), ChowderConfig.MASTER_KEY);
        }
        return loadOrCreate(config.dataDir().resolve(FILE_NAME));
    }

    /** The key of an existing store, for a command: a missing key file is refused, never created. */
    static MasterKey loadExisting(ChowderConfig config) {
        if (config.masterKey().isPresent()) {
            return fromEnvironment(config);
        }
        Path file = config.dataDir().resolve(FILE_NAME);
        if (Files.notExists(file)) {
            throw new InvalidConfigurationException("no master key: " + ChowderConfig.MASTER_KEY + " is not set and " + file
                    + " does not exist; give this command the server's " + ChowderConfig.MASTER_KEY + " or " + ChowderConfig.DATA_DIR
                    + " (commands never create a key)");
        }
        return loadOrCreate(file);
    }

    /** Why a process whose key does not open the database's check value stops; never quotes a key. */
    static String mismatch(ChowderConfig config) {
        if (config.masterKey().isPresent()) {
            return "the master key in " + ChowderConfig.MASTER_KEY + " is not the one this database's gateway tokens are encrypted with;"
                    + " set " + ChowderConfig.MASTER_KEY + " to the key of the nodes already using this database";
        }
        Path file = config.dataDir().resolve(FILE_NAME);
        return "the master key in " + file + " (used because " + ChowderConfig.MASTER_KEY + " is not set) is not the one this database's"
                + " gateway tokens are encrypted with; set " + ChowderConfig.MASTER_KEY + " to the key of the nodes already using this database,"
                + " or put their key file in place of " + file;
    }

    private static MasterKey fromEnvironment(ChowderConfig config) {
        try {
            return MasterKey.fromBase64(config.masterKey().orElseThrow());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(ChowderConfig.MASTER_KEY + " is invalid: " + e.getMessage());
        }
    }

    static MasterKey loadOrCreate(Path file) {
        try {
            String content = OwnerOnlyFiles.readOrCreate(file, () -> {
                log.info("Created a new master key in {} (mode 600). Back it up: without it, stored gateway tokens cannot be read.", file);
                return MasterKey.generate(new SecureRandom()).toBase64();
            });
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                log.warn("{} is readable by others than its owner; run: chmod 600 {}", file, file);
            }
            return MasterKey.fromBase64(content);
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot read or create the master key file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(file + " is not a valid master key: " + e.getMessage());
        }
    }
}
