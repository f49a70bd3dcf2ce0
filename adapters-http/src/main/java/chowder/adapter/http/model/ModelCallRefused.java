package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

/** Thrown while a model call is admitted, to answer it with {@link #refusal()} instead of relaying it. */
final class ModelCallRefused extends RuntimeException {
    private final transient Refusal refusal;

    ModelCallRefused(Refusal refusal) {
        super(refusal.message(), null, false, false);
        this.refusal = requireNonNull(refusal, "refusal is null");
    }

    Refusal refusal() {
        return refusal;
    }
}
