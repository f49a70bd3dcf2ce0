package chowder.bootstrap;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code chowder serve}: runs the API until SIGTERM or SIGINT, then stops cleanly. */
@Command(name = "serve", description = "Run the Chowder API server (the default command).", mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    private final Map<String, String> env;

    ServeCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ChowderConfig config = ChowderConfig.fromEnvironment(env);
        log.info("Starting Chowder with {}", config);
        ChowderRuntime runtime = ChowderRuntime.create(config).startServer();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping Chowder");
            runtime.close();
            stopped.countDown();
        }, "chowder-shutdown"));
        log.info("Chowder is listening on {}:{}", config.http().host(), runtime.httpPort());
        stopped.await();
        return 0;
    }
}
