package chowder.bootstrap;

/**
 * Chooses how the JDK waits on sockets for virtual threads, before any does: with platform threads that wait in
 * {@code epoll} and unpark the virtual thread whose socket is ready ({@code jdk.pollerMode=1}), rather than JDK 25's
 * default on Linux, pollers that are themselves virtual threads, woken through a master poller:
 * one hand-off more for every request, since Jetty's selectors run on virtual threads here. Measured in docs/perf.md
 * (issue #20, step 8). An operator's own {@code -Djdk.pollerMode} wins; the property is the JDK's internal one, and a
 * JDK without it ignores it.
 */
final class JdkPollers {
    static final String PROPERTY = "jdk.pollerMode";
    static final String SYSTEM_THREADS = "1";

    private JdkPollers() {}

    /** Takes effect only before the first virtual thread blocks on a socket: the first thing {@link Main} does. */
    static void preferSystemThreads() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, SYSTEM_THREADS);
        }
    }
}
