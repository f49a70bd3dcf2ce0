package chowder.bootstrap;

import chowder.adapter.openclaw.provisioner.OpenClawInstall;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code chowder openclaw install}: makes the OpenClaw runtime of the local provisioner ready ahead of the first
 * instance, with the same settings ({@code CHOWDER_OPENCLAW_INSTALL_DIR}, {@code CHOWDER_OPENCLAW_VERSION},
 * {@code CHOWDER_OPENCLAW_NODE_VERSION}), and prints its directory on stdout; with {@code CHOWDER_OPENCLAW_HOME} it
 * only checks that install. Progress goes to the log (stderr); a failure exits with 1 and the reason on stderr.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Install the pinned Node 24 and OpenClaw from the npm registry (or reuse a complete install, or check "
                + "CHOWDER_OPENCLAW_HOME) and print the install directory.")
final class OpenClawInstallCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;

    OpenClawInstallCommand(Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        ChowderConfig config = ChowderConfig.fromEnvironment(env);
        Path home;
        try {
            home = new OpenClawInstall(config.provisioner()).locate().home();
        } catch (IllegalStateException e) {
            err.println("chowder: " + e.getMessage());
            err.flush();
            return 1;
        }
        out.println(home);
        out.flush();
        return 0;
    }
}
