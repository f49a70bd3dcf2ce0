package chowder.bootstrap.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * An operator command that drives use cases on the store (not through a running server): it opens the existing store
 * of the configured environment, runs, prints its JSON answer (the API's own JSON for what the API also shows) on stdout
 * and closes everything.
 */
abstract class UseCaseCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final PrintWriter out;
    private final OpenStore store;

    UseCaseCommand(Map<String, String> env, PrintWriter out, OpenStore store) {
        this.env = env;
        this.out = out;
        this.store = store;
    }

    /** Does the work; returns what to print. */
    abstract Object run(UseCases useCases) throws Exception;

    @Override
    public final Integer call() throws Exception {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer()));
        out.flush();
        return 0;
    }

    /** The answer to print: by default the use cases' on the opened store. */
    Object answer() throws Exception {
        try (OpenStore.Opened opened = store.open(env)) {
            return run(opened);
        }
    }

    Map<String, String> env() {
        return env;
    }
}
