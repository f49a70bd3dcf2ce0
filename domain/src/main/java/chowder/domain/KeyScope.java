package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a scoped key may reach: the permissions it holds on each of its instances and, as an extension
 * of the hosted API, optionally only some sessions — exact ids and/or ids starting with a prefix.
 * An organization key has {@link #UNRESTRICTED}.
 */
public record KeyScope(Map<InstanceId, Set<Permission>> instances, Set<SessionId> sessionIds, Optional<String> sessionPrefix) {
    public static final int MAX_SESSION_IDS = 1000;
    public static final KeyScope UNRESTRICTED = new KeyScope(Map.of(), Set.of(), Optional.empty());

    public KeyScope {
        instances = instances.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, entry -> Set.copyOf(entry.getValue())));
        sessionIds = Set.copyOf(sessionIds);
        requireNonNull(sessionPrefix, "sessionPrefix is null");
        if (sessionIds.size() > MAX_SESSION_IDS) {
            throw ChowderException.validationFailed("session_ids: at most " + MAX_SESSION_IDS + " session ids.");
        }
        sessionPrefix.ifPresent(prefix -> {
            if (prefix.isEmpty()) {
                throw ChowderException.validationFailed("session_prefix must not be empty.");
            }
            SessionId.of(prefix);
        });
    }

    /** Whether this key is limited to some sessions. */
    public boolean sessionBound() {
        return !sessionIds.isEmpty() || sessionPrefix.isPresent();
    }

    public boolean allowsSession(SessionId id) {
        return !sessionBound() || sessionIds.contains(id) || sessionPrefix.map(prefix -> id.value().startsWith(prefix)).orElse(false);
    }
}
