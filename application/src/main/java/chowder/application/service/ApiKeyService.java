package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.NewApiKey;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyId;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.InstanceId;
import chowder.domain.KeyScope;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Creates, shows and revokes the keys of an organization. */
public final class ApiKeyService implements ManageApiKeysUseCase {
    private final LoadApiKeyPort loadKeys;
    private final SaveApiKeyPort saveKeys;
    private final LoadInstancePort instances;
    private final KeyLimits limits;
    private final SecureRandom random;
    private final Clock clock;

    public ApiKeyService(LoadApiKeyPort loadKeys, SaveApiKeyPort saveKeys, LoadInstancePort instances, KeyLimits limits,
            SecureRandom random, Clock clock) {
        this.loadKeys = requireNonNull(loadKeys, "loadKeys is null");
        this.saveKeys = requireNonNull(saveKeys, "saveKeys is null");
        this.instances = requireNonNull(instances, "instances is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.random = requireNonNull(random, "random is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public NewApiKey create(CreateApiKeyCommand command) {
        Caller caller = command.caller();
        caller.requireOrganizationKey();
        Instant now = clock.instant();
        KeyScope scope = command.kind() == ApiKeyKind.ORGANIZATION ? organizationScope(command) : scope(command, caller);
        ApiKeySecret secret = ApiKeySecret.generate(command.kind(), random);
        ApiKey key = ApiKey.issue(caller.organizationId(), command.name(), secret, scope, expiry(command.expiresAt()), now);
        int limit = limits.maxPerOrganization();
        if (!saveKeys.insertWithinLimit(key, limit)) {
            throw new ChowderException(ErrorCode.KEY_LIMIT_REACHED, "Key limit reached: this organization may hold " + limit
                    + " keys, revoked and expired ones included, and too few of its keys are revoked or expired to make room"
                    + " (the oldest of those give way to a new key). Revoke keys it no longer uses.");
        }
        return new NewApiKey(key, secret);
    }

    @Override
    public List<ApiKey> list(Caller caller) {
        caller.requireOrganizationKey();
        return loadKeys.listKeysOf(caller.organizationId());
    }

    @Override
    public ApiKey get(Caller caller, ApiKeyId id) {
        caller.requireOrganizationKey();
        return loadKeys.findById(id).filter(key -> caller.owns(key.organizationId())).orElseThrow(ApiKeyId::notFound);
    }

    @Override
    public void revoke(Caller caller, ApiKeyId id) {
        saveKeys.revoke(get(caller, id).id());
    }

    private static KeyScope organizationScope(CreateApiKeyCommand command) {
        if (!command.instanceIds().isEmpty() || !command.permissions().isEmpty() || !command.sessionIds().isEmpty()
                || command.sessionPrefix().isPresent()) {
            throw ChowderException.validationFailed("instance_ids, permissions and session bindings apply only to scoped keys.");
        }
        return KeyScope.UNRESTRICTED;
    }

    private KeyScope scope(CreateApiKeyCommand command, Caller caller) {
        if (command.instanceIds().isEmpty()) {
            throw ChowderException.validationFailed("instance_ids: a scoped key needs at least one instance.");
        }
        if (command.permissions().isEmpty()) {
            throw ChowderException.validationFailed("permissions: a scoped key needs at least one permission.");
        }
        Set<Permission> permissions = command.permissions().stream().map(Permission::fromWireName)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Permission.class)));
        if (!command.sessionIds().isEmpty() || command.sessionPrefix().isPresent()) {
            // A key bound to sessions must not reach what every session of the instance shares.
            for (Permission permission : permissions) {
                permission.instanceWideBecause().ifPresent(reason -> {
                    throw ChowderException.validationFailed("permissions: a key bound to sessions (session_ids, session_prefix) cannot have the "
                            + permission.wireName() + " permission: " + reason + ".");
                });
            }
        }
        Map<InstanceId, Set<Permission>> granted = new LinkedHashMap<>();
        for (String raw : command.instanceIds()) {
            InstanceId id = instanceId(raw);
            instances.findById(id).filter(instance -> instance.visibleTo(caller) && instance.organizationId().equals(caller.organizationId()))
                    .orElseThrow(() -> ChowderException.validationFailed("instance_ids: no instance " + raw + " in this organization."));
            granted.put(id, permissions);
        }
        List<SessionId> sessionIds = command.sessionIds().stream().map(SessionId::of).toList();
        return new KeyScope(granted, Set.copyOf(sessionIds), command.sessionPrefix());
    }

    private static InstanceId instanceId(String raw) {
        try {
            return new InstanceId(UUID.fromString(raw));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ChowderException.validationFailed("instance_ids: '" + raw + "' is not an instance id.");
        }
    }

    private static Optional<Instant> expiry(Optional<String> raw) {
        try {
            return raw.map(text -> OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw ChowderException.validationFailed("expires_at must be an ISO 8601 timestamp with an offset, e.g. 2027-01-31T00:00:00Z.");
        }
    }
}
