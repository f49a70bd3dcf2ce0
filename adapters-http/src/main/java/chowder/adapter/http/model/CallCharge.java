package chowder.adapter.http.model;

import static java.util.Objects.requireNonNull;

import chowder.domain.ModelTokens;

/**
 * What an ended model call is charged, and its outcome as {@code chowder_model_requests_total} counts it: {@code ok}
 * (the provider reported its usage), {@code estimated} (it reported none: the call was cut short, or its answer said
 * nothing readable, and is charged an estimate), {@code provider_error} (the provider refused or failed it) or
 * {@code failed} (the provider was never reached).
 */
record CallCharge(ModelTokens tokens, String outcome) {
    static final CallCharge PROVIDER_ERROR = new CallCharge(ModelTokens.NONE, "provider_error");
    static final CallCharge FAILED = new CallCharge(ModelTokens.NONE, "failed");

    CallCharge {
        requireNonNull(tokens, "tokens is null");
        requireNonNull(outcome, "outcome is null");
    }

    static CallCharge reported(ModelTokens tokens) {
        return new CallCharge(tokens, "ok");
    }

    static CallCharge estimated(ModelTokens tokens) {
        return new CallCharge(tokens, "estimated");
    }
}
