package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.ApiKeyKind;
import chowder.domain.Caller;
import java.util.List;
import java.util.Optional;

/**
 * Create a key, fields as the client sent them: a scoped key names its instances and permissions and
 * may expire; {@code sessionIds}/{@code sessionPrefix} bind it to sessions (an extension).
 */
public record CreateApiKeyCommand(
        Caller caller,
        ApiKeyKind kind,
        String name,
        List<String> instanceIds,
        List<String> permissions,
        Optional<String> expiresAt,
        List<String> sessionIds,
        Optional<String> sessionPrefix) {
    public CreateApiKeyCommand {
        requireNonNull(caller, "caller is null");
        requireNonNull(kind, "kind is null");
        instanceIds = List.copyOf(instanceIds);
        permissions = List.copyOf(permissions);
        requireNonNull(expiresAt, "expiresAt is null");
        sessionIds = List.copyOf(sessionIds);
        requireNonNull(sessionPrefix, "sessionPrefix is null");
    }
}
