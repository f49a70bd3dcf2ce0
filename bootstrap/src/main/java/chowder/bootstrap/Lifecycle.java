package chowder.bootstrap;

/** Something started when Chowder starts and stopped, in reverse order, when it stops. */
interface Lifecycle {
    void start() throws Exception;

    void stop() throws Exception;
}
