package chowder.bootstrap;

import chowder.application.port.in.ManageInstancesUseCase;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.application.port.in.RegisterInstanceUseCase;
import chowder.application.port.in.ViewInstancesUseCase;
import chowder.domain.Caller;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chowder instance add|list|remove}: the operator's view of instances, across organizations. */
final class InstanceCommands {
    static final String TOKEN_VARIABLE = "CHOWDER_GATEWAY_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper();

    private InstanceCommands() {}

    @Command(name = "add", description = "Register a running OpenClaw gateway as an instance of an organization.", mixinStandardHelpOptions = true)
    static final class Add implements Callable<Integer> {
        private final Map<String, String> env;
        private final PrintWriter out;

        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        @Option(names = "--name", required = true, description = "Instance name, 1 to 128 characters.")
        String name;

        @Option(names = "--gateway-url", required = true, description = "The gateway's base URL, e.g. http://127.0.0.1:18789.")
        String gatewayUrl;

        @Option(names = "--gateway-token", description = "The gateway token; better passed in " + TOKEN_VARIABLE + " (not visible in ps).")
        String gatewayToken;

        Add(Map<String, String> env, PrintWriter out) {
            this.env = env;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            String token = gatewayToken != null ? gatewayToken : env.get(TOKEN_VARIABLE);
            try (ChowderRuntime runtime = ChowderRuntime.create(ChowderConfig.fromEnvironment(env)).startStore()) {
                Instance instance = runtime.get(RegisterInstanceUseCase.class).register(
                        RegisterInstanceCommand.of(Caller.operatorFor(new OrganizationId(organization)), name, gatewayUrl, token));
                print(out, json(instance));
                return 0;
            }
        }
    }

    @Command(name = "list", description = "List instances (all organizations, or one).", mixinStandardHelpOptions = true)
    static final class ListInstances implements Callable<Integer> {
        private final Map<String, String> env;
        private final PrintWriter out;

        @Option(names = "--org", description = "Only this organization's instances.")
        UUID organization;

        ListInstances(Map<String, String> env, PrintWriter out) {
            this.env = env;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            try (ChowderRuntime runtime = ChowderRuntime.create(ChowderConfig.fromEnvironment(env)).startStore()) {
                Caller operator = organization == null ? Caller.allOrganizations() : Caller.operatorFor(new OrganizationId(organization));
                List<Instance> instances = runtime.get(ViewInstancesUseCase.class).list(operator);
                ArrayNode array = JSON.createArrayNode();
                instances.forEach(instance -> array.add(json(instance)));
                print(out, array);
                return 0;
            }
        }
    }

    @Command(name = "remove", description = "Delete an instance (it becomes terminated: kept, hidden, no traffic).", mixinStandardHelpOptions = true)
    static final class Remove implements Callable<Integer> {
        private final Map<String, String> env;
        private final PrintWriter out;

        @Parameters(index = "0", description = "Instance id.")
        String instanceId;

        Remove(Map<String, String> env, PrintWriter out) {
            this.env = env;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            try (ChowderRuntime runtime = ChowderRuntime.create(ChowderConfig.fromEnvironment(env)).startStore()) {
                runtime.get(ManageInstancesUseCase.class).delete(Caller.allOrganizations(), InstanceId.parse(instanceId));
                print(out, JSON.createObjectNode().put("id", instanceId).put("status", "terminated"));
                return 0;
            }
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

    private static void print(PrintWriter out, Object json) throws Exception {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        out.flush();
    }
}
