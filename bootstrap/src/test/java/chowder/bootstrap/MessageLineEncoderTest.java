package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The access log as the shipped logging set-up writes it: each line the message alone, as UTF-8, then a newline. */
class MessageLineEncoderTest {

    @Test
    void theShippedSetUpWritesEachAccessLineAsItsMessageAndANewline() throws Exception {
        String ascii = "{\"ts\":\"2026-12-05T20:00:00Z\",\"request_id\":\"a\\\"b\",\"status\":200}";
        String accented = "{\"route\":\"/v1/caf\u00e9\",\"request_id\":\"\u4e2d\"}";
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        PrintStream stderr = System.err;
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        try (PrintStream captured = new PrintStream(written, true, StandardCharsets.UTF_8)) {
            System.setErr(captured);
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(shippedSetUp());
            context.getLogger("chowder.access").info(ascii);
            context.getLogger("chowder.access").info(accented);
            // Stopping drains the background appender.
            context.stop();
        } finally {
            System.setErr(stderr);
        }

        // Other tests' threads may write to stderr meanwhile: the two lines follow each other, whole.
        assertThat(written.toString(StandardCharsets.UTF_8)).contains(ascii + "\n" + accented + "\n");
    }

    private static URL shippedSetUp() throws Exception {
        // The test class path has the test set-up under another name: this is bootstrap's own file.
        return Path.of("src/main/resources/logback.xml").toUri().toURL();
    }
}
