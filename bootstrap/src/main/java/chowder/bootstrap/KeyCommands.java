package chowder.bootstrap;

import static chowder.bootstrap.StoreCommand.JSON;

import chowder.application.port.in.CreateApiKeyCommand;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.NewApiKey;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyId;
import chowder.domain.ApiKeyKind;
import chowder.domain.Caller;
import chowder.domain.Organization;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chowder key create|list|revoke} and {@code chowder org list}: the operator's key administration. */
final class KeyCommands {
    private KeyCommands() {}

    @Command(name = "create", description = "Create a key: an organization key, or a scoped key when --instance is given.",
            mixinStandardHelpOptions = true)
    static final class Create extends StoreCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        @Option(names = "--name", required = true, description = "Key name, 1 to 128 characters.")
        String name;

        @Option(names = "--instance", description = "An instance the scoped key may use (repeatable).")
        List<String> instances = new ArrayList<>();

        @Option(names = "--permission", description = "read, interact, configure, files or channels (repeatable).")
        List<String> permissions = new ArrayList<>();

        @Option(names = "--expires-at", description = "ISO 8601 timestamp after which the key stops working.")
        String expiresAt;

        @Option(names = "--session-id", description = "Bind the key to this exact session id (repeatable).")
        List<String> sessionIds = new ArrayList<>();

        @Option(names = "--session-prefix", description = "Bind the key to session ids starting with this.")
        String sessionPrefix;

        Create(Map<String, String> env, PrintWriter out) {
            super(env, out);
        }

        @Override
        Object run(ChowderRuntime runtime, ChowderConfig config) {
            NewApiKey created = runtime.get(ManageApiKeysUseCase.class).create(new CreateApiKeyCommand(
                    Caller.operatorFor(new OrganizationId(organization)),
                    instances.isEmpty() ? ApiKeyKind.ORGANIZATION : ApiKeyKind.SCOPED, name, instances, permissions,
                    Optional.ofNullable(expiresAt), sessionIds, Optional.ofNullable(sessionPrefix)));
            return json(created.key()).put("raw_key", created.secret().value());
        }
    }

    @Command(name = "list", description = "List an organization's keys (never their raw value).", mixinStandardHelpOptions = true)
    static final class ListKeys extends StoreCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        ListKeys(Map<String, String> env, PrintWriter out) {
            super(env, out);
        }

        @Override
        Object run(ChowderRuntime runtime, ChowderConfig config) {
            ArrayNode array = JSON.createArrayNode();
            Caller operator = Caller.operatorFor(new OrganizationId(organization));
            // An empty list would not tell a mistyped id from an organization without keys.
            runtime.get(ManageOrganizationUseCase.class).get(operator);
            runtime.get(ManageApiKeysUseCase.class).list(operator).forEach(key -> array.add(json(key)));
            return array;
        }
    }

    @Command(name = "revoke", description = "Revoke a key at once and for good.", mixinStandardHelpOptions = true)
    static final class Revoke extends StoreCommand {
        @Parameters(index = "0", description = "Key id.")
        String keyId;

        Revoke(Map<String, String> env, PrintWriter out) {
            super(env, out);
        }

        @Override
        Object run(ChowderRuntime runtime, ChowderConfig config) {
            runtime.get(ManageApiKeysUseCase.class).revoke(Caller.allOrganizations(), ApiKeyId.parse(keyId));
            return JSON.createObjectNode().put("id", keyId).put("is_active", false);
        }
    }

    @Command(name = "list", description = "List every organization.", mixinStandardHelpOptions = true)
    static final class ListOrganizations extends StoreCommand {
        ListOrganizations(Map<String, String> env, PrintWriter out) {
            super(env, out);
        }

        @Override
        Object run(ChowderRuntime runtime, ChowderConfig config) {
            ArrayNode array = JSON.createArrayNode();
            runtime.get(ManageOrganizationUseCase.class).listAll(Caller.allOrganizations()).forEach(organization -> array.add(organization(organization)));
            return array;
        }
    }

    static ObjectNode organization(Organization organization) {
        return JSON.createObjectNode()
                .put("id", organization.id().toString())
                .put("name", organization.name())
                .put("created_at", organization.createdAt().toString())
                .put("updated_at", organization.updatedAt().toString());
    }

    private static ObjectNode json(ApiKey key) {
        ObjectNode node = JSON.createObjectNode()
                .put("id", key.id().toString())
                .put("organization_id", key.organizationId().toString())
                .put("name", key.name())
                .put("kind", key.kind() == ApiKeyKind.ORGANIZATION ? "organization" : "scoped")
                .put("key_prefix", key.keyPrefix())
                .put("is_active", key.active())
                .put("expires_at", key.expiresAt().map(Instant::toString).orElse(null))
                .put("last_used_at", key.lastUsedAt().map(Instant::toString).orElse(null))
                .put("created_at", key.createdAt().toString());
        ArrayNode instances = node.putArray("instance_ids");
        key.scope().instances().keySet().forEach(id -> instances.add(id.toString()));
        return node;
    }
}
