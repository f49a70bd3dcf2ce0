package chowder.bootstrap;

/** Something started when Chowder starts and stopped, in reverse order, when it stops. */
interface Lifecycle {
    void start() throws Exception;

    void stop() throws Exception;

    /** A lifecycle made of two actions. */
    static Lifecycle of(Step start, Step stop) {
        return new Lifecycle() {
            @Override
            public void start() throws Exception {
                start.run();
            }

            @Override
            public void stop() throws Exception {
                stop.run();
            }
        };
    }

    /** One action of a lifecycle. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }
}
