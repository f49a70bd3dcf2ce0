package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.AuthenticateUseCase;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import java.time.Clock;

/** Authenticates API keys: format and checksum first (no lookup for typos), then the stored hash. */
public final class AuthenticationService implements AuthenticateUseCase {
    private final LoadApiKeyPort apiKeys;
    private final Clock clock;

    public AuthenticationService(LoadApiKeyPort apiKeys, Clock clock) {
        this.apiKeys = requireNonNull(apiKeys, "apiKeys is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Caller authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isBlank()) {
            throw new ChowderException(ErrorCode.MISSING_API_KEY, "Missing API key: send 'Authorization: Bearer <key>'.");
        }
        ApiKeySecret secret = ApiKeySecret.parse(presentedKey.strip());
        var hash = secret.hash();
        return apiKeys.findByHash(hash)
                .filter(key -> key.hash().matches(hash))
                .filter(key -> key.usableAt(clock.instant()))
                .map(Caller::of)
                .orElseThrow(() -> new ChowderException(ErrorCode.INVALID_API_KEY, "Invalid API key."));
    }
}
