package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

/**
 * Thrown while a model call is admitted, to answer it with {@link #refusal()} instead of relaying it; and to end the
 * connection after the answer when the request's body can no longer be read (it came too slowly).
 */
final class ModelCallRefused extends RuntimeException {
    private final transient Refusal refusal;
    private final boolean endsConnection;

    ModelCallRefused(Refusal refusal) {
        this(refusal, false);
    }

    ModelCallRefused(Refusal refusal, boolean endsConnection) {
        super(refusal.message(), null, false, false);
        this.refusal = requireNonNull(refusal, "refusal is null");
        this.endsConnection = endsConnection;
    }

    Refusal refusal() {
        return refusal;
    }

    boolean endsConnection() {
        return endsConnection;
    }
}
