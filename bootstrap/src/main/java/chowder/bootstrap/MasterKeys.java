package chowder.bootstrap;

import chowder.adapter.persistence.MasterKey;
import chowder.adapter.persistence.MasterKeyFile;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the master key: {@code CHOWDER_MASTER_KEY} when set, else the data directory's {@link MasterKeyFile}, created
 * by the server on first use. Commands only read it. The messages name the variables an operator can set.
 */
final class MasterKeys {
    private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);

    private MasterKeys() {}

    static MasterKey load(ChowderConfig config) {
        if (config.masterKey().isPresent()) {
            return fromEnvironment(config);
        }
        if (!config.usesH2()) {
            log.warn("No {} is set: using {} in {}. Every node sharing this database needs the same key; set {} on all of them.",
                    ChowderConfig.MASTER_KEY, MasterKeyFile.NAME, config.dataDir(), ChowderConfig.MASTER_KEY);
        }
        return loadOrCreate(MasterKeyFile.in(config.dataDir()));
    }

    /** The key of an existing store, for a command: a missing key file is refused, never created. */
    static MasterKey loadExisting(ChowderConfig config) {
        if (config.masterKey().isPresent()) {
            return fromEnvironment(config);
        }
        MasterKeyFile file = MasterKeyFile.in(config.dataDir());
        if (!file.exists()) {
            throw new InvalidConfigurationException("no master key: " + ChowderConfig.MASTER_KEY + " is not set and " + file.file()
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
        Path file = MasterKeyFile.in(config.dataDir()).file();
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

    static MasterKey loadOrCreate(MasterKeyFile file) {
        try {
            return file.loadOrCreate();
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot read or create the master key file " + file.file() + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(file.file() + " is not a valid master key: " + e.getMessage());
        }
    }
}
