package chowder.bootstrap.cli;

import static chowder.bootstrap.cli.UseCaseCommand.JSON;

import chowder.adapter.http.instances.InstanceJson;
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
public final class InstanceCommands {
    public static final String TOKEN_VARIABLE = "CHOWDER_GATEWAY_TOKEN";

    private InstanceCommands() {}

    @Command(name = "add", description = "Register a running OpenClaw gateway as an instance of an organization.", mixinStandardHelpOptions = true)
    public static final class Add extends UseCaseCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        @Option(names = "--name", required = true, description = "Instance name, 1 to 128 characters.")
        String name;

        @Option(names = "--gateway-url", required = true, description = "The gateway's base URL, e.g. http://127.0.0.1:18789.")
        String gatewayUrl;

        @Option(names = "--gateway-token", description = "The gateway token; better passed in " + TOKEN_VARIABLE + " (not visible in ps).")
        String gatewayToken;

        public Add(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            String token = gatewayToken != null ? gatewayToken : env().get(TOKEN_VARIABLE);
            return json(useCases.get(RegisterInstanceUseCase.class).register(
                    RegisterInstanceCommand.of(Caller.operatorFor(new OrganizationId(organization)), name, gatewayUrl, token)),
                    useCases.get(ViewInstancesUseCase.class));
        }
    }

    @Command(name = "list", description = "List instances (all organizations, or one).", mixinStandardHelpOptions = true)
    public static final class ListInstances extends UseCaseCommand {
        @Option(names = "--org", description = "Only this organization's instances.")
        UUID organization;

        public ListInstances(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            Caller operator = organization == null ? Caller.allOrganizations() : Caller.operatorFor(new OrganizationId(organization));
            ArrayNode array = JSON.createArrayNode();
            ViewInstancesUseCase instances = useCases.get(ViewInstancesUseCase.class);
            instances.list(operator).forEach(instance -> array.add(json(instance, instances)));
            return array;
        }
    }

    @Command(name = "remove", description = "Delete an instance (it becomes terminated: kept, hidden, no traffic).", mixinStandardHelpOptions = true)
    public static final class Remove extends UseCaseCommand {
        @Parameters(index = "0", description = "Instance id.")
        String instanceId;

        public Remove(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            useCases.get(ManageInstancesUseCase.class).delete(Caller.allOrganizations(), InstanceId.parse(instanceId));
            return JSON.createObjectNode().put("id", instanceId).put("status", "terminated");
        }
    }

    /** An instance as the API shows it (never its gateway token). */
    private static ObjectNode json(Instance instance, ViewInstancesUseCase instances) {
        return JSON.valueToTree(InstanceJson.of(instance, instances.sandboxOf(instance)));
    }
}
