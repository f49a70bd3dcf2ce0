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
    void everyStaticImportAndLinkNamesAConsoleFile() {
        int checked = 0;
        Pattern reference = Pattern.compile("(?:from\\s+|import\\s+|(?:src|href)=)['\"](\\.{1,2}/[^'\"]+|[a-z][a-z0-9/_-]*\\.(?:js|css))['\"]");
        for (String name : FILES.names()) {
            if (!name.endsWith(".js") && !name.endsWith(".html")) {
                continue;
            }
            String text = new String(FILES.file(name).orElseThrow().content(), StandardCharsets.UTF_8);
            java.net.URI base = java.net.URI.create("console/" + name);
            var found = reference.matcher(text);
            while (found.find()) {
                String target = base.resolve(found.group(1)).getPath().substring("console/".length());
                checked++;
                // pages.css belongs to the pages' own stylesheet, which may not exist yet.
                if (!target.equals("pages.css")) {
                    assertThat(FILES.names()).as("%s refers to %s", name, target).contains(target);
                }
            }
        }
        // index.html's app.js and style.css, and each module's imports of api.js and ui.js.
        assertThat(checked).isGreaterThan(10);
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
