package chowder.bootstrap;

/** A configuration value that Chowder cannot start with; the message names the variable. */
final class InvalidConfigurationException extends RuntimeException {
    InvalidConfigurationException(String message) {
        super(message);
    }
}
