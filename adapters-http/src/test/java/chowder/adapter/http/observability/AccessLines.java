package chowder.adapter.http.observability;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** The access log lines a test writes, captured from the logger {@value AccessLog#LOGGER} while it runs. */
final class AccessLines implements BeforeEachCallback, AfterEachCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);

    @Override
    public void beforeEach(ExtensionContext context) {
        lines.start();
        logger.addAppender(lines);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(lines);
        lines.stop();
    }

    /** Each line as written. */
    List<String> text() {
        return List.copyOf(lines.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Each line read as JSON. */
    List<JsonNode> json() throws Exception {
        List<JsonNode> read = new ArrayList<>();
        for (String line : text()) {
            read.add(JSON.readTree(line));
        }
        return read;
    }
}
