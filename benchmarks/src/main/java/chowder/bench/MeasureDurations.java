package chowder.bench;

/** How long each measure of a benchmark run runs (written into the results' meta). */
record MeasureDurations(double jitWarmupS, double warmupS, double measureS, int streams, int streamEvents, int streamGapMs,
                        int openStreamEvents, int openStreamGapMs, double openStreamRampS, int bigBodyRepeats) {
    static MeasureDurations full() {
        return new MeasureDurations(30, 5, 15, 100, 20, 10, 10, 5000, 10, 20);
    }

    static MeasureDurations quick() {
        return new MeasureDurations(10, 1, 3, 20, 10, 10, 5, 1000, 2, 10);
    }
}
