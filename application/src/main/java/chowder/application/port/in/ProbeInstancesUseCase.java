package chowder.application.port.in;

/** Health probing of gateways: each watched instance's {@code /readyz}, recorded as running or error. */
public interface ProbeInstancesUseCase {
    /** Probes every watched instance concurrently; returns once every probe has been recorded. */
    void probeAll();
}
