package chowder.bootstrap;

import chowder.bootstrap.cli.InstanceCommands;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} against the code, so that neither drifts: it documents exactly the variables Chowder
 * reads, each with a default and a meaning, every {@code CHOWDER_…} name anywhere in the main code is one of them, and a
 * default written as a plain value is the one the code has (setting the variable to it changes nothing).
 */
class ConfigurationDocumentationTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DOCUMENT = ROOT.resolve("docs").resolve("configuration.md");
    /** Modules whose main code is not Chowder's: the test support, the end-to-end suite and the benchmark. */
    private static final Set<String> NOT_CHOWDER = Set.of("testing", "e2e", "benchmarks");
    private static final Pattern NAME = Pattern.compile("CHOWDER_[A-Z0-9_]*[A-Z0-9]");
    /** Java comments and character literals (skipped), and string literals and text blocks (group 1). */
    private static final Pattern JAVA_TOKENS = Pattern.compile(
            "//[^\\n]*|/\\*[\\s\\S]*?\\*/|'(?:[^'\\\\\\n]|\\\\.)+'|(\"\"\"[\\s\\S]*?\"\"\"|\"(?:[^\"\\\\\\n]|\\\\.)*\")");
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
        // Read by the command line (instance add; the org commands' server), not the server.
        read.add(InstanceCommands.TOKEN_VARIABLE);
        read.add(chowder.bootstrap.cli.AdminApi.URL_VARIABLE);

        assertThat(new TreeSet<>(rows.keySet())).isEqualTo(read);
        rows.forEach((variable, columns) -> {
            assertThat(columns[0].strip()).as(variable + " default").isNotEmpty();
            assertThat(columns[1].strip()).as(variable + " meaning").hasSizeGreaterThan(10);
        });
    }

    /**
     * Whatever reads it (ChowderConfig, a command, a launcher, logback, the packaged unit files), a {@code CHOWDER_…} name
     * in a string literal of the main code, or anywhere in its resources, launchers and packaging, is documented.
     */
    @Test
    void everyVariableNamedInTheMainCodeIsDocumented() throws Exception {
        Map<String, String> named = new java.util.TreeMap<>();
        List<Path> sources = new ArrayList<>(List.of(ROOT.resolve("chowder")));
        try (Stream<Path> packaging = Files.walk(ROOT.resolve("packaging"))) {
            packaging.filter(Files::isRegularFile).forEach(sources::add);
        }
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path main : modules.filter(module -> !NOT_CHOWDER.contains(module.getFileName().toString()))
                    .map(module -> module.resolve("src").resolve("main")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(main)) {
                    files.filter(Files::isRegularFile).forEach(sources::add);
                }
            }
        }
        for (Path source : sources) {
            String text = new String(Files.readAllBytes(source), java.nio.charset.StandardCharsets.ISO_8859_1);
            List<String> scanned = new ArrayList<>();
            if (source.toString().endsWith(".java")) {
                Matcher token = JAVA_TOKENS.matcher(text);
                while (token.find()) {
                    if (token.group(1) != null) {
                        scanned.add(token.group(1));
                    }
                }
            } else {
                scanned.add(text);
            }
            for (String part : scanned) {
                Matcher name = NAME.matcher(part);
                while (name.find()) {
                    named.putIfAbsent(name.group(), ROOT.relativize(source).toString());
                }
            }
        }

        assertThat(named).as("names found").containsKeys("CHOWDER_HTTP_PORT", "CHOWDER_LOG_LEVEL", "CHOWDER_JAVA", "CHOWDER_GATEWAY_TOKEN");
        Set<String> documented = rows().keySet();
        assertThat(named.entrySet().stream().filter(entry -> !documented.contains(entry.getKey()))
                .map(entry -> entry.getKey() + " (" + entry.getValue() + ")").toList())
                .as("named in the main code but not in docs/configuration.md").isEmpty();
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
