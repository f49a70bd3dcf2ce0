package chowder.bootstrap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} against the code, so that neither drifts: it documents exactly the variables Chowder
 * reads, each with a default and a meaning, and a default written as a plain value is the one the code has (setting
 * the variable to it changes nothing).
 */
class ConfigurationDocumentationTest {
    private static final Path DOCUMENT = Path.of("..", "docs", "configuration.md");
    private static final Pattern ROW = Pattern.compile("^\\| `(CHOWDER_[A-Z0-9_]+)` \\| (.+?) \\| (.+) \\|$");
    /** A default that is one literal value: `8080`, `30s`, `bubblewrap` (not `unset: …` or `<data dir>/…`). */
    private static final Pattern LITERAL = Pattern.compile("^`([^`<>]+)`(?: \\(.*\\))?$");

    @Test
    void everyVariableTheCodeReadsIsDocumentedWithADefaultAndAMeaningAndNoOtherIs() throws Exception {
        Map<String, String[]> rows = rows();
        TreeSet<String> read = new TreeSet<>(ChowderConfig.variables());
        // Read outside ChowderConfig: by logback's configuration and by the launchers.
        assertThat(resource("/logback.xml")).contains("${CHOWDER_LOG_LEVEL:-INFO}");
        assertThat(Files.readString(Path.of("..", "chowder"), UTF_8)).contains("CHOWDER_JAVA_OPTS");
        assertThat(Files.readString(Path.of("..", "packaging", "bin", "chowder"), UTF_8)).contains("${CHOWDER_JAVA:-}", "CHOWDER_JAVA_OPTS");
        read.add("CHOWDER_LOG_LEVEL");
        read.add("CHOWDER_JAVA_OPTS");
        read.add("CHOWDER_JAVA");

        assertThat(new TreeSet<>(rows.keySet())).isEqualTo(read);
        rows.forEach((variable, columns) -> {
            assertThat(columns[0].strip()).as(variable + " default").isNotEmpty();
            assertThat(columns[1].strip()).as(variable + " meaning").hasSizeGreaterThan(10);
        });
    }

    @Test
    void aDocumentedDefaultIsTheDefault() throws Exception {
        ChowderConfig defaults = ChowderConfig.fromEnvironment(Map.of());
        int checked = 0;
        for (Map.Entry<String, String[]> row : rows().entrySet()) {
            Matcher literal = LITERAL.matcher(row.getValue()[0].strip());
            if (!literal.matches() || !ChowderConfig.variables().contains(row.getKey())) {
                continue;
            }
            ChowderConfig configured = ChowderConfig.fromEnvironment(Map.of(row.getKey(), literal.group(1)));
            assertThat(configured).as("%s=%s as documented", row.getKey(), literal.group(1)).isEqualTo(defaults);
            checked++;
        }
        assertThat(checked).as("defaults checked").isGreaterThan(30);
    }

    private static Map<String, String[]> rows() throws Exception {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCUMENT, UTF_8)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                assertThat(rows.put(row.group(1), new String[] {row.group(2), row.group(3)})).as(row.group(1) + " documented twice").isNull();
            }
        }
        return rows;
    }

    private static String resource(String name) throws Exception {
        try (var in = ConfigurationDocumentationTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }
}
