package chowder.adapter.http.keys;

import chowder.application.port.in.NewApiKey;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Keys as the hosted API shows them, plus the extensions {@code kind},
 * {@code session_ids} and {@code session_prefix}. The raw key appears only in the answer that created it.
 */
public final class KeyJson {
    private final ObjectMapper json;

    public KeyJson(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode key(ApiKey key) {
        ObjectNode node = json.createObjectNode()
                .put("id", key.id().toString())
                .put("organization_id", key.organizationId().toString())
                .put("name", key.name())
                .put("key_prefix", key.keyPrefix())
                .put("is_active", key.active())
                .put("expires_at", key.expiresAt().map(Instant::toString).orElse(null))
                .put("last_used_at", key.lastUsedAt().map(Instant::toString).orElse(null))
                .put("created_at", key.createdAt().toString())
                .put("kind", key.kind() == ApiKeyKind.ORGANIZATION ? "organization" : "scoped");
        ArrayNode sessions = node.putArray("session_ids");
        key.scope().sessionIds().stream().map(SessionId::value).sorted().forEach(sessions::add);
        node.put("session_prefix", key.scope().sessionPrefix().orElse(null));
        return node;
    }

    public ObjectNode keyWithInstances(ApiKey key) {
        ObjectNode node = key(key);
        ArrayNode instances = node.putArray("instances");
        key.scope().instances().forEach((instance, permissions) -> {
            ObjectNode grant = instances.addObject().put("instance_id", instance.toString());
            ArrayNode names = grant.putArray("permissions");
            permissions.stream().sorted().map(Permission::wireName).forEach(names::add);
        });
        return node;
    }

    public ObjectNode created(NewApiKey created) {
        return keyWithInstances(created.key()).put("raw_key", created.secret().value());
    }
}
