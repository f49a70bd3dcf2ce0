package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.adapter.persistence.MasterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeysTest {
    @TempDir
    Path dataDir;

    @Test
    void createsAKeyFileReadableOnlyByItsOwnerAndReusesIt() throws Exception {
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of("CHOWDER_DATA_DIR", dataDir.toString()));
        MasterKey first = MasterKeys.load(config);
        Path file = dataDir.resolve("master.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(MasterKeys.load(config)).isEqualTo(first);
    }

    @Test
    void theEnvironmentWinsAndABadKeyIsRefusedWithoutQuotingIt() {
        MasterKey key = MasterKey.generate(new SecureRandom());
        ChowderConfig config = ChowderConfig.fromEnvironment(Map.of("CHOWDER_DATA_DIR", dataDir.toString(), "CHOWDER_MASTER_KEY", key.toBase64()));
        assertThat(MasterKeys.load(config)).isEqualTo(key);
        assertThat(dataDir.resolve("master.key")).doesNotExist();

        ChowderConfig bad = ChowderConfig.fromEnvironment(Map.of("CHOWDER_MASTER_KEY", "c2hvcnQtc2VjcmV0"));
        assertThatThrownBy(() -> MasterKeys.load(bad))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("CHOWDER_MASTER_KEY")
                .message().doesNotContain("c2hvcnQtc2VjcmV0");
    }
}
