package chowder.adapter.http.console;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.NotFoundResponse;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The browser console: {@code GET /} and {@code GET /console} redirect to {@code /console/}, which serves
 * {@code index.html}; {@code GET /console/<file>} serves one of the {@link ConsoleFiles}. No key is needed to load
 * the files (they hold no data; the page asks the API with the key the user typed). Every answer carries a strict
 * Content-Security-Policy: scripts, styles and connections from this origin only, nothing inline.
 */
public final class ConsoleRoutes {
    public static final String PATH = "/console";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", CSP,
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-cache",
            "X-Frame-Options", "DENY");

    private final ConsoleFiles files;

    public ConsoleRoutes(ConsoleFiles files) {
        this.files = files;
    }

    public void register(RoutesConfig routes) {
        // HEAD too, so that it answers with the same headers as GET (Jetty sends no body).
        for (var add : List.<BiConsumer<String, Handler>>of(routes::get, routes::head)) {
            add.accept("/", ctx -> redirect(ctx, 302));
            add.accept(PATH, this::consoleRoot);
            add.accept(PATH + "/<file>", ctx -> serve(ctx, ctx.pathParam("file")));
        }
    }

    /** Javalin ignores a trailing slash when matching, so "/console" and "/console/" both reach this handler. */
    private void consoleRoot(Context ctx) {
        if (ctx.req().getRequestURI().endsWith("/")) {
            serve(ctx, "index.html");
        } else {
            redirect(ctx, 301);
        }
    }

    /** Whether a route template is one of the console's (pages for a browser, not part of the API). */
    public static boolean isConsole(String template) {
        return template.equals("/") || template.equals(PATH) || template.startsWith(PATH + "/");
    }

    private static void redirect(Context ctx, int status) {
        HEADERS.forEach(ctx::header);
        ctx.header("Location", PATH + "/").status(status);
    }

    private void serve(Context ctx, String name) {
        HEADERS.forEach(ctx::header);
        // Only a name from the fixed set is ever served: "..", encoded or not, names nothing.
        ConsoleFiles.ConsoleFile file = files.file(name).orElseThrow(NotFoundResponse::new);
        ctx.contentType(file.contentType()).result(file.content());
    }
}
