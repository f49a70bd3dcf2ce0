package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chowder serve} waits on sockets for its virtual threads with the JDK's platform-thread pollers ("Read-Poller"),
 * not JDK 25's virtual-thread pollers behind a "MasterPoller"; an operator's own {@code -Djdk.pollerMode} wins.
 */
@Timeout(180)
class JdkPollersTest {
    @TempDir
    Path dir;

    @Test
    void aServerWaitsOnSocketsWithPlatformThreadPollers() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), dir.resolve("server.log"), List.of())) {
            assertThat(server.send("GET", "/healthz", null).statusCode()).isEqualTo(200);

            String threads = threadsOf(server);
            assertThat(threads).contains("\"Read-Poller\"").doesNotContain("\"MasterPoller\"");
        }
    }

    @Test
    void anOperatorsOwnPollerModeWins() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), dir.resolve("server.log"), List.of("-Djdk.pollerMode=2"))) {
            assertThat(server.send("GET", "/healthz", null).statusCode()).isEqualTo(200);

            assertThat(threadsOf(server)).contains("\"MasterPoller\"").doesNotContain("\"Read-Poller\"");
        }
    }

    /** The server's platform threads, as {@code jcmd Thread.print} lists them. */
    private static String threadsOf(ServerProcess server) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(server.process().pid()), "Thread.print").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(jcmd.exitValue()).as(out).isZero();
        return out;
    }
}
