package chowder.bootstrap.cli;

import java.util.Map;

/**
 * Opens the existing store of an environment's configuration for one command, never creating a database or a key:
 * a command run without the server's data directory or database URL must fail, not work on a new, empty store.
 */
@FunctionalInterface
public interface OpenStore {
    Opened open(Map<String, String> env) throws Exception;

    /** The use cases over the opened store, closed when the command is done. */
    interface Opened extends UseCases, AutoCloseable {
        @Override
        void close();
    }
}
