package chowder.adapter.persistence;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class H2ModelKeysAndLimitsTest extends ModelKeysAndLimitsContractTest {
    @TempDir
    Path dataDir;

    @Override
    protected String jdbcUrl() {
        return "jdbc:h2:file:" + dataDir.resolve("chowder") + ";AUTO_SERVER=TRUE";
    }

    @Override
    protected String user() {
        return "sa";
    }
}
