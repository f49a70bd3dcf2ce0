package chowder.application.port.in;

/** Whether this node can serve requests (for load balancers and orchestrators). */
public interface CheckReadinessUseCase {
    /** Throws a {@code NOT_READY} error naming the reason when it cannot. */
    void requireReady();
}
