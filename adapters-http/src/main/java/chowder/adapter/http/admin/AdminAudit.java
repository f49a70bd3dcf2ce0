package chowder.adapter.http.admin;

import static java.util.Objects.requireNonNull;

import chowder.domain.ApiKey;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's audit trail on the logger {@value #LOGGER}: one INFO line per change an operator makes (what, to
 * which organization, the new key's id and name), and a WARN for requests refused for their admin token, at most one per
 * {@link #REFUSALS_INTERVAL} with the number refused since the last, so that guessing at the token cannot flood the
 * log. Never a token, raw key or presented credential. Names are quoted as JSON strings: one line per action.
 */
final class AdminAudit {
    static final String LOGGER = "chowder.admin";
    static final Duration REFUSALS_INTERVAL = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final LongSupplier nanoTime;
    private final AtomicLong refusedSinceLine = new AtomicLong();
    /** When the last refusal line was written, on {@link #nanoTime}'s scale. */
    private final AtomicLong lastRefusalLine;

    /** @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}) */
    AdminAudit(LongSupplier nanoTime) {
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        this.lastRefusalLine = new AtomicLong(nanoTime.getAsLong() - REFUSALS_INTERVAL.toNanos());
    }

    void created(OrganizationId organization, String name) {
        log.info("Admin action=create organization_id={} name={}", organization, quoted(name));
    }

    void renamed(OrganizationId organization, String name) {
        log.info("Admin action=rename organization_id={} name={}", organization, quoted(name));
    }

    void suspended(OrganizationId organization, boolean suspended) {
        log.info("Admin action={} organization_id={}", suspended ? "suspend" : "resume", organization);
    }

    void keyIssued(ApiKey key) {
        log.info("Admin action=issue-key organization_id={} key_id={} key_name={}", key.organizationId(), key.id(), quoted(key.name()));
    }

    void planChanged(OrganizationId organization, ObjectNode plan) {
        log.info("Admin action=plan-change organization_id={} plan={}", organization, plan);
    }

    /** A request refused for a missing or wrong admin token, from {@code address}. */
    void refused(String address) {
        refusedSinceLine.incrementAndGet();
        long now = nanoTime.getAsLong();
        long last = lastRefusalLine.get();
        // Whoever moves the gate on writes the line; the others only count.
        if (now - last >= REFUSALS_INTERVAL.toNanos() && lastRefusalLine.compareAndSet(last, now)) {
            log.warn("Admin API: refused {} request(s) for a missing or wrong admin token since the last such line "
                    + "(at most one every {} s); the latest from {}", refusedSinceLine.getAndSet(0), REFUSALS_INTERVAL.toSeconds(),
                    address);
        }
    }

    private static String quoted(String text) {
        return TextNode.valueOf(text).toString();
    }
}
