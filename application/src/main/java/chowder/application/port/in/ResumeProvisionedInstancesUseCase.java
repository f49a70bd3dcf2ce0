package chowder.application.port.in;

/** Brings back, when Chowder starts, the gateways it provisioned that should run (provisioning, running or error). */
public interface ResumeProvisionedInstancesUseCase {
    /** Starts each such gateway in the background, at a fresh loopback address; returns at once. */
    void resumeProvisioned();
}
