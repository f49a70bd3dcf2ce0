package chowder.bootstrap.cli;

import static chowder.bootstrap.cli.UseCaseCommand.JSON;

import chowder.application.port.in.CreateApiKeyCommand;
import chowder.adapter.http.keys.KeyJson;
import chowder.application.port.in.ManageApiKeysUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.NewApiKey;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyId;
import chowder.domain.ApiKeyKind;
import chowder.domain.Caller;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chowder key create|list|revoke}: the operator's key administration, answered in the API's JSON. */
public final class KeyCommands {
    private static final KeyJson KEYS = new KeyJson(JSON);

    private KeyCommands() {}

    @Command(name = "create", description = "Create a key: an organization key, or a scoped key when --instance is given.",
            mixinStandardHelpOptions = true)
    public static final class Create extends UseCaseCommand {
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

        public Create(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            NewApiKey created = useCases.get(ManageApiKeysUseCase.class).create(new CreateApiKeyCommand(
                    Caller.operatorFor(new OrganizationId(organization)),
                    instances.isEmpty() ? ApiKeyKind.ORGANIZATION : ApiKeyKind.SCOPED, name, instances, permissions,
                    Optional.ofNullable(expiresAt), sessionIds, Optional.ofNullable(sessionPrefix)));
            return KEYS.created(created);
        }
    }

    @Command(name = "list", description = "List an organization's keys (never their raw value).", mixinStandardHelpOptions = true)
    public static final class ListKeys extends UseCaseCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        public ListKeys(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            ArrayNode array = JSON.createArrayNode();
            Caller operator = Caller.operatorFor(new OrganizationId(organization));
            // An empty list would not tell a mistyped id from an organization without keys.
            useCases.get(ManageOrganizationUseCase.class).get(operator);
            useCases.get(ManageApiKeysUseCase.class).list(operator).forEach(key -> array.add(json(key)));
            return array;
        }
    }

    @Command(name = "revoke", description = "Revoke a key at once and for good.", mixinStandardHelpOptions = true)
    public static final class Revoke extends UseCaseCommand {
        @Parameters(index = "0", description = "Key id.")
        String keyId;

        public Revoke(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            useCases.get(ManageApiKeysUseCase.class).revoke(Caller.allOrganizations(), ApiKeyId.parse(keyId));
            return JSON.createObjectNode().put("id", keyId).put("is_active", false);
        }
    }

    /** A key as the API shows it, with the instances and permissions of a scoped key. */
    private static ObjectNode json(ApiKey key) {
        return KEYS.keyWithInstances(key);
    }
}
