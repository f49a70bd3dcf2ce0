package chowder.adapter.http.files;

import chowder.domain.Caller;
import chowder.domain.LimitExceededException;
import chowder.domain.OrganizationId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * At most {@code perOrganization} transfers of a file's content at once per organization (reads and writes as JSON,
 * uploads; a download streams and holds no file); one more is a 429 at once. A read or write holds the file in memory a few times over (its bytes, its
 * text, the JSON) until the client has it, up to {@code CHOWDER_MAX_FILE_BYTES} each, and that memory is the heap every
 * tenant shares: without a bound, one organization's slow clients could hold all of it.
 */
final class FileTransfers {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final int perOrganization;
    // One entry per organization that ever transferred a file on this node: a semaphore each, a few dozen bytes.
    private final Map<OrganizationId, Semaphore> byOrganization = new ConcurrentHashMap<>();

    FileTransfers(int perOrganization) {
        if (perOrganization < 1) {
            throw new IllegalArgumentException("perOrganization must be at least 1");
        }
        this.perOrganization = perOrganization;
    }

    /** One of the caller's organization's transfers, until closed; a {@link LimitExceededException} when all are under way. */
    Transfer begin(Caller caller) {
        Semaphore slots = byOrganization.computeIfAbsent(caller.organizationId(), id -> new Semaphore(perOrganization));
        if (!slots.tryAcquire()) {
            throw new LimitExceededException("This organization already has " + perOrganization + " file transfers under way "
                    + "(CHOWDER_MAX_FILE_TRANSFERS_PER_ORGANIZATION); retry when one is done.", RETRY_AFTER, false);
        }
        return slots::release;
    }

    /** A transfer under way; closing it lets the next one in. */
    interface Transfer extends AutoCloseable {
        @Override
        void close();
    }
}
