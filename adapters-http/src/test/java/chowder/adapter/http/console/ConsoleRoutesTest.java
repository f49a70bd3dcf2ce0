package chowder.adapter.http.console;

import static chowder.adapter.http.RoutesHarness.detail;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.http.ApiTest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's files over a real server: redirects, headers, Content-Types, and what is never served. */
class ConsoleRoutesTest extends ApiTest {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    @Test
    void theRootAndTheBareConsolePathRedirectToTheConsole() throws Exception {
        HttpResponse<String> root = send("GET", "/", null, null);
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).contains("/console/");
        HttpResponse<String> bare = send("GET", "/console", null, null);
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("Location")).contains("/console/");
        assertThat(bare.headers().firstValue("Content-Security-Policy")).contains(CSP);
    }

    @Test
    void theIndexIsServedWithoutAKeyUnderAStrictPolicy() throws Exception {
        HttpResponse<String> index = send("GET", "/console/", null, null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(contentType(index)).isEqualTo("text/html;charset=utf-8");
        assertThat(index.headers().firstValue("Content-Security-Policy")).contains(CSP);
        assertThat(index.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(index.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(index.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
        assertThat(send("GET", "/console/index.html", null, null).body()).isEqualTo(index.body());
    }

    @Test
    void scriptsAndStylesHaveTheirContentTypes() throws Exception {
        HttpResponse<String> app = send("GET", "/console/app.js", null, null);
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(contentType(app)).isEqualTo("text/javascript;charset=utf-8");
        assertThat(app.headers().firstValue("Content-Security-Policy")).contains(CSP);
        HttpResponse<String> page = send("GET", "/console/pages/instances.js", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(contentType(page)).isEqualTo("text/javascript;charset=utf-8");
        assertThat(contentType(send("GET", "/console/style.css", null, null))).isEqualTo("text/css;charset=utf-8");
    }

    @Test
    void anUnknownFileIsAJson404() throws Exception {
        HttpResponse<String> missing = send("GET", "/console/nothing.js", null, null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(detail(missing)).startsWith("Not found");
        assertThat(missing.headers().firstValue("Content-Security-Policy")).contains(CSP);
        assertThat(send("GET", "/console/pages/", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void pathTraversalReachesNothing() throws Exception {
        // Files that exist next to (or above) the console on the classpath or the disk.
        List<String> attempts = List.of("/console/../chowder/adapter/http/openapi.json", "/console/%2e%2e/chowder/adapter/http/openapi.json",
                "/console/..%2fchowder/adapter/http/openapi.json", "/console/pages/..%2f..%2f..%2fpom.xml",
                "/console/%2e%2e%2f%2e%2e%2fpom.xml", "/console/....//pom.xml", "/console/..%5cpom.xml", "/console//etc/passwd",
                "/console/%252e%252e/pom.xml", "/console/ConsoleRoutes.class");
        for (String attempt : attempts) {
            HttpResponse<String> answer = send("GET", attempt, null, null);
            assertThat(answer.statusCode()).as(attempt).isEqualTo(404);
            assertThat(answer.body()).as(attempt).doesNotContain("\"paths\"").doesNotContain("<project").doesNotContain("root:");
        }
        // A path that climbs above the root is refused by Jetty before any route, for every path alike.
        for (String attempt : List.of("/console/../../pom.xml", "/console/%2E%2E/%2E%2E/pom.xml", "/console/%2e%2e/%2e%2e/%2e%2e/etc/passwd")) {
            HttpResponse<String> answer = send("GET", attempt, null, null);
            assertThat(answer.statusCode()).as(attempt).isIn(400, 404);
            assertThat(detail(answer)).as(attempt).isNotBlank();
            assertThat(answer.body()).as(attempt).doesNotContain("<project").doesNotContain("root:");
        }
    }

    @Test
    void headAnswersWithTheSameHeaders() throws Exception {
        HttpResponse<String> head = send("HEAD", "/console/app.js", null, null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(contentType(head)).isEqualTo("text/javascript;charset=utf-8");
        assertThat(head.headers().firstValue("Content-Security-Policy")).contains(CSP);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void noConsoleAnswerSetsACookie() throws Exception {
        for (String path : List.of("/", "/console", "/console/", "/console/app.js", "/console/style.css", "/console/missing.css")) {
            assertThat(send("GET", path, null, null).headers().allValues("Set-Cookie")).as(path).isEmpty();
        }
    }

    @Test
    void theConsoleNeedsNoKeyButTheApiStillDoes() throws Exception {
        assertThat(send("GET", "/console/api.js", "chd_org_wrong", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/instances", null, null).statusCode()).isEqualTo(401);
    }

    /** The Content-Type without optional spaces (Jetty writes {@code text/html;charset=utf-8}). */
    private static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("").replace(" ", "");
    }
}
