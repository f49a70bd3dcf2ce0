package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.AuthenticateUseCase;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadOrganizationPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyHash;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import java.time.Clock;
import java.time.Instant;

/**
 * Authenticates API keys: format and checksum first (no lookup for typos), then the stored hash,
 * read on every request so that expiry and revocation apply to the very next one; then its organization, refused
 * while its operator has it suspended (both reads answered from coherent caches).
 */
public final class AuthenticationService implements AuthenticateUseCase {
    private final LoadApiKeyPort apiKeys;
    private final LoadOrganizationPort organizations;
    private final KeyUsageRecorder usage;
    private final Clock clock;

    public AuthenticationService(LoadApiKeyPort apiKeys, LoadOrganizationPort organizations, KeyUsageRecorder usage, Clock clock) {
        this.apiKeys = requireNonNull(apiKeys, "apiKeys is null");
        this.organizations = requireNonNull(organizations, "organizations is null");
        this.usage = requireNonNull(usage, "usage is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Caller authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isBlank()) {
            throw new ChowderException(ErrorCode.MISSING_API_KEY, "Missing API key: send 'Authorization: Bearer <key>'.");
        }
        ApiKeyHash hash = ApiKeySecret.parse(presentedKey.strip()).hash();
        Instant now = clock.instant();
        ApiKey key = apiKeys.findByHash(hash)
                .filter(found -> found.hash().matches(hash))
                .filter(found -> found.usableAt(now))
                .orElseThrow(() -> new ChowderException(ErrorCode.INVALID_API_KEY, "Invalid API key."));
        // A key outlives nothing of its organization's: one deleted behind it (never done by Chowder) lets nobody in.
        organizations.findById(key.organizationId())
                .orElseThrow(() -> new ChowderException(ErrorCode.INVALID_API_KEY, "Invalid API key."))
                .requireActive();
        usage.used(key.id(), now);
        return Caller.of(key);
    }
}
