package chowder.adapter.http.model;

import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallMeter;
import chowder.domain.MemoryBudget;
import chowder.domain.ModelProviderName;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted model call as it is relayed: where it goes, what it sends, its place among the calls running, its meter
 * (told exactly once, {@link #ended}), and what the relay learned of the provider's answer. Written by the relay's
 * callbacks one after another, read when the call ends.
 */
final class ModelCall {
    final ModelProviderName provider;
    final ModelCallGrant grant;
    final ModelCallBody body;
    final InFlightCalls.Slot slot;
    // The memory its body takes, given back when the call ends.
    final MemoryBudget.Hold heldBody;
    final ModelCallMeter meter;
    final AtomicBoolean ended = new AtomicBoolean();
    /** The provider's status; 0 until its answer's headers came. */
    volatile int status;
    volatile boolean stream;
    /** Reads usage from a 2xx answer. */
    volatile UsageTap tap;
    /** The start of an error body that is not relayed ({@link ProviderErrors}). */
    volatile ByteArrayOutputStream replacedError;
    /** Whether the provider's answer arrived whole. */
    volatile boolean answerComplete;

    ModelCall(ModelProviderName provider, ModelCallGrant grant, ModelCallBody body, InFlightCalls.Slot slot, MemoryBudget.Hold heldBody,
            ModelCallMeter meter) {
        this.provider = provider;
        this.grant = grant;
        this.body = body;
        this.slot = slot;
        this.heldBody = heldBody;
        this.meter = meter;
    }

    URI upstream() {
        String base = grant.baseUrl().toString().replaceAll("/+$", "");
        return URI.create(base + "/" + grant.api().path());
    }

    /**
     * What the ended call is charged: a 2xx answer what the provider reported, else an estimate ({@link CallEstimate});
     * a provider that timed out before answering may have done (and billed) the work, so that is charged the estimate
     * too; an error status, or a provider never reached, costs nothing (providers do not bill those).
     */
    CallCharge charge(boolean providerTimedOut) {
        CallEstimate estimate = body.estimate();
        if (status == 0) {
            return providerTimedOut ? CallCharge.estimated(estimate.charged(0, false)) : CallCharge.FAILED;
        }
        UsageTap answer = tap;
        if (status / 100 != 2 || answer == null) {
            return CallCharge.PROVIDER_ERROR;
        }
        return answer.finish().map(CallCharge::reported)
                .orElseGet(() -> CallCharge.estimated(estimate.charged(answer.answerBytes(), stream || answerComplete)));
    }
}
