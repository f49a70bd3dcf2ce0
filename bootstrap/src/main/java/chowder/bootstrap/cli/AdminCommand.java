package chowder.bootstrap.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * An organization command of the operator: through a running server's admin API when {@code CHOWDER_URL} is set (so
 * nothing opens the database beside a live server), else on the store like every other command. Both print the admin
 * API's JSON.
 */
abstract class AdminCommand extends UseCaseCommand {
    AdminCommand(Map<String, String> env, PrintWriter out, OpenStore store) {
        super(env, out, store);
    }

    /** The same work as {@link #run}, asked of the admin API. */
    abstract Object remote(AdminApi api);

    @Override
    final Object answer() throws Exception {
        var api = AdminApi.of(env());
        return api.isPresent() ? remote(api.get()) : super.answer();
    }
}
