package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ModelUsagePort;
import chowder.application.port.out.ModelUsagePort.Calls;
import chowder.application.port.out.ModelUsagePort.UsageHour;
import chowder.domain.InstanceId;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.OrganizationId;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Gathers model calls per instance, provider and hour in memory and writes them in one batch on {@link #flush()} (every
 * few seconds, and at shutdown): metering costs the model endpoint no database write. A crash loses at most one
 * interval of counts, never a call's budget charge (charged at once).
 */
public final class ModelUsageRecorder {
    private final ModelUsagePort store;
    private final CoalescingBuffer<UsageHour, Calls> pending = new CoalescingBuffer<>(Calls::plus);

    public ModelUsageRecorder(ModelUsagePort store) {
        this.store = requireNonNull(store, "store is null");
    }

    void record(OrganizationId organization, InstanceId instance, ModelProviderName provider, ModelTokens tokens, Instant at) {
        pending.add(new UsageHour(organization, instance, provider, at.truncatedTo(ChronoUnit.HOURS)), new Calls(1, tokens));
    }

    /** Writes what was gathered since the last flush; kept for the next one if the write fails. */
    public void flush() {
        pending.drainTo(store::add);
    }
}
