package chowder.bootstrap;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * An operator command that works on the store (not through a running server): it opens the existing database
 * of the configured environment (refusing when there is none: it never creates a database or a master key),
 * runs, prints its JSON answer on stdout and closes everything.
 */
abstract class StoreCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final PrintWriter out;

    StoreCommand(Map<String, String> env, PrintWriter out) {
        this.env = env;
        this.out = out;
    }

    /** Does the work; returns what to print. */
    abstract Object run(ChowderRuntime runtime, ChowderConfig config) throws Exception;

    @Override
    public final Integer call() throws Exception {
        ChowderConfig config = ChowderConfig.fromEnvironment(env);
        Object answer;
        try (ChowderRuntime runtime = ChowderRuntime.openExisting(config, env).startStore()) {
            answer = run(runtime, config);
        }
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        out.flush();
        return 0;
    }

    Map<String, String> env() {
        return env;
    }
}
