package chowder.bootstrap;

import static chowder.bootstrap.StoreCommand.JSON;

import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.domain.Caller;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chowder instance add|list|remove}: the operator's view of instances, across organizations. */
final class InstanceCommands {
    static final String TOKEN_VARIABLE = "CHOWDER_GATEWAY_TOKEN";

    private InstanceCommands() {}

    @Command(name = "add", description = "Register a running OpenClaw gateway as an instance of an organization.", mixinStandardHelpOptions = true)
    static final class Add extends StoreCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        @Option(names = "--name", required = true, description = "Instance name, 1 to 128 characters.")
        String name;

        @Option(names = "--gateway-url", required = true, description = "The gateway's base URL, e.g. http://127.0.0.1:18789.")
        String gatewayUrl;

        @Option(names = "--gateway-token", description = "The gateway token; better passed in " + TOKEN_VARIABLE + " (not visible in ps).")
        String gatewayToken;

        Add(Map<String, String> env, PrintWriter out) {
            super(env, out);
        }

        @Override
        Object run(ChowderRuntime runtime, ChowderConfig config) {
            String token = gatewayToken != null ? gatewayToken : env().get(TOKEN_VARIABLE);
            return json(runtime.get(RegisterInstanceUseCase.class).register(
                    RegisterInstanceCommand.of(Caller.operatorFor(new OrganizationId(organization)), name, gatewayUrl, token)));
        }
    }

    @Command(name = "list", description = "List instances (all organizations, or one).", mixinStandardHelpOptions = true)
    static final class ListInstances extends StoreCommand {
        @Option(names = "--org", description = "Only this organization's instances.")
        UUID organization;

        ListInstances(Map<String, String> env, PrintWriter out) {
            super(env, out);
        }

        @Override
        Object run(ChowderRuntime runtime, ChowderConfig config) {
            Caller operator = organization == null ? Caller.allOrganizations() : Caller.operatorFor(new OrganizationId(organization));
            ArrayNode array = JSON.createArrayNode();
            runtime.get(ViewInstancesUseCase.class).list(operator).forEach(instance -> array.add(json(instance)));
            return array;
        }
    }

    @Command(name = "remove", description = "Delete an instance (it becomes terminated: kept, hidden, no traffic).", mixinStandardHelpOptions = true)
    static final class Remove extends StoreCommand {
        @Parameters(index = "0", description = "Instance id.")
        String instanceId;

        Remove(Map<String, String> env, PrintWriter out) {
            super(env, out);
        }

        @Override
        Object run(ChowderRuntime runtime, ChowderConfig config) {
            runtime.get(ManageInstancesUseCase.class).delete(Caller.allOrganizations(), InstanceId.parse(instanceId));
            return JSON.createObjectNode().put("id", instanceId).put("status", "terminated");
        }
    }

    private static ObjectNode json(Instance instance) {
        return JSON.createObjectNode()
                .put("id", instance.id().toString())
                .put("organization_id", instance.organizationId().toString())
                .put("name", instance.name())
                .put("status", instance.status().wireName())
                .put("gateway_url", instance.gatewayUrl().toString())
                .put("error_message", instance.errorMessage().orElse(null))
                .put("created_at", instance.createdAt().toString());
    }
}
