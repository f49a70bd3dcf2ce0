package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path base;

    @Test
    void aNewDataDirectoryIsPrivateAndItsPasswordIsMadeOnceWithMode600() throws Exception {
        Path dataDir = base.resolve("a/data");
        DataDirectory.prepare(dataDir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        String password = DataDirectory.databasePassword(dataDir);
        assertThat(password).matches("[0-9a-f]{64}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("database.password")))).isEqualTo("rw-------");
        assertThat(DataDirectory.databasePassword(dataDir)).isEqualTo(password);
        assertThat(DataDirectory.existingDatabasePassword(dataDir)).contains(password);
        assertThat(DataDirectory.existingDatabasePassword(base.resolve("elsewhere"))).isEmpty();
        assertThat(base.resolve("elsewhere")).doesNotExist();
    }

    @Test
    void aSharedDirectoryIsRefusedAndLeftAsItIs() throws Exception {
        Path shared = Files.createDirectory(base.resolve("shared"));
        assertThat(new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> DataDirectory.prepare(shared))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("CHOWDER_DATA_DIR=" + shared + " is a shared directory");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rwxrwxrwx");
    }
}
