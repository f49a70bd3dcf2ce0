package chowder.bootstrap;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/**
 * {@code chowder serve}: runs the API until SIGTERM or SIGINT, then stops accepting, lets in-flight
 * requests and streams finish within {@code CHOWDER_SHUTDOWN_GRACE}, and exits 0.
 */
@Command(name = "serve", description = "Run the Chowder API server (the default command).", mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    private final Map<String, String> env;

    ServeCommand(Map<String, String> env) {
        this.env = env;
    }

    /** {@code serve --help} ends with every configuration variable, so that an operator sees what can be set. */
    static String[] configurationFooter() {
        java.util.List<String> lines = new java.util.ArrayList<>();
        lines.add("");
        lines.add("Configuration, from environment variables (defaults and meanings: docs/configuration.md):");
        StringBuilder line = new StringBuilder(" ");
        for (String variable : ChowderConfig.variables()) {
            if (line.length() + variable.length() + 1 > 100) {
                lines.add(line.toString());
                line = new StringBuilder(" ");
            }
            line.append(' ').append(variable);
        }
        lines.add(line.toString());
        return lines.toArray(String[]::new);
    }

    @Override
    public Integer call() throws Exception {
        ChowderConfig config = ChowderConfig.fromEnvironment(env);
        log.info("Starting Chowder with {}", config);
        ChowderRuntime runtime = ChowderRuntime.create(config, env).startServer();
        CountDownLatch stopRequested = new CountDownLatch(1);
        // Handling the signals ourselves (instead of only a shutdown hook) lets a requested stop exit 0.
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), received -> stopRequested.countDown());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "chowder-shutdown"));
        log.info("Chowder is listening on {}:{}", config.http().host(), runtime.httpPort());
        stopRequested.await();
        log.info("Stopping Chowder: finishing in-flight requests for up to {}", config.http().shutdownGrace());
        runtime.close();
        log.info("Chowder stopped");
        return 0;
    }
}
