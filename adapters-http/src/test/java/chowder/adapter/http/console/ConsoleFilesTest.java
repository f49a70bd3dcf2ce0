package chowder.adapter.http.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the CSP would refuse, caught before a browser does: no console file holds inline script or style, builds
 * markup from strings, evaluates code, or names another origin.
 */
class ConsoleFilesTest {
    private static final ConsoleFiles FILES = ConsoleFiles.load();

    /** Each forbidden construct and why. */
    private record Rule(String why, Pattern pattern) {
    }

    private static final List<Rule> EVERYWHERE = List.of(
            new Rule("a style attribute", Pattern.compile("style\\s*=", Pattern.CASE_INSENSITIVE)),
            new Rule("a javascript: URL", Pattern.compile("javascript:", Pattern.CASE_INSENSITIVE)),
            new Rule("another origin", Pattern.compile("(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}", Pattern.CASE_INSENSITIVE)),
            new Rule("an http(s) URL", Pattern.compile("https?://", Pattern.CASE_INSENSITIVE)));
    private static final List<Rule> HTML = List.of(
            new Rule("an inline script", Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE)),
            new Rule("an inline style element", Pattern.compile("<style", Pattern.CASE_INSENSITIVE)),
            new Rule("an event handler attribute", Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE)));
    private static final List<Rule> SCRIPT = List.of(
            new Rule("markup from a string", Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write")),
            new Rule("eval", Pattern.compile("\\beval\\s*\\(")),
            new Rule("new Function", Pattern.compile("new\\s+Function\\b")),
            new Rule("string timers", Pattern.compile("set(Timeout|Interval)\\s*\\(\\s*['\"`]")),
            new Rule("a style or handler attribute", Pattern.compile("setAttribute\\(\\s*['\"`](style|on[a-z]+)['\"`]", Pattern.CASE_INSENSITIVE)),
            new Rule("a cookie or localStorage", Pattern.compile("document\\.cookie|localStorage")));

    @Test
    void theConsoleHasItsShellFiles() {
        assertThat(FILES.names()).contains("index.html", "style.css", "app.js", "api.js", "ui.js", "pages/instances.js");
    }

    @Test
    void noFileHoldsInlineCodeOrNamesAnotherOrigin() {
        for (String name : FILES.names()) {
            String text = new String(FILES.file(name).orElseThrow().content(), StandardCharsets.UTF_8);
            check(name, text, EVERYWHERE);
            if (name.endsWith(".html") || name.endsWith(".svg")) {
                check(name, text, HTML);
            }
            if (name.endsWith(".js")) {
                check(name, text, SCRIPT);
            }
        }
    }

    @Test
    void theRulesCatchWhatTheyAreFor() {
        assertThat(violations("<script>alert(1)</script>", HTML)).isNotEmpty();
        assertThat(violations("<script type=\"module\" src=\"app.js\"></script>", HTML)).isEmpty();
        assertThat(violations("<button onclick=\"x()\">", HTML)).isNotEmpty();
        assertThat(violations("<p style=\"color:red\">", EVERYWHERE)).isNotEmpty();
        assertThat(violations("<a href=\"javascript:x()\">", EVERYWHERE)).isNotEmpty();
        assertThat(violations("fetch('https://evil.example/x')", EVERYWHERE)).isNotEmpty();
        assertThat(violations("import x from '//cdn.example.com/x.js'", EVERYWHERE)).isNotEmpty();
        assertThat(violations("el.innerHTML = data", SCRIPT)).isNotEmpty();
        assertThat(violations("eval(text)", SCRIPT)).isNotEmpty();
        assertThat(violations("new Function('return 1')", SCRIPT)).isNotEmpty();
        assertThat(violations("el.setAttribute('style', 'x')", SCRIPT)).isNotEmpty();
        assertThat(violations("h('button', { on: { click } }, 'Go')", SCRIPT)).isEmpty();
    }

    private static void check(String name, String text, List<Rule> rules) {
        assertThat(violations(text, rules)).as("console/%s", name).isEmpty();
    }

    private static List<String> violations(String text, List<Rule> rules) {
        return rules.stream().filter(rule -> rule.pattern().matcher(text).find()).map(Rule::why).toList();
    }
}
