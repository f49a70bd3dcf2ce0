package chowder.bootstrap;

import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.NewOrganization;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chowder org create --name NAME}: creates an organization and prints it with its first
 * organization key, the only time that key is shown. Works beside a running server on the same data.
 */
@Command(name = "create", description = "Create an organization and print its first organization key.", mixinStandardHelpOptions = true)
final class OrgCreateCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private final PrintWriter out;

    @Option(names = "--name", required = true, description = "Organization name, 1 to 128 characters.")
    String name;

    OrgCreateCommand(Map<String, String> env, PrintWriter out) {
        this.env = env;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        try (ChowderRuntime runtime = ChowderRuntime.create(ChowderConfig.fromEnvironment(env)).startStore()) {
            NewOrganization created = runtime.get(CreateOrganizationUseCase.class).create(name);
            ObjectMapper json = new ObjectMapper();
            ObjectNode answer = json.createObjectNode();
            answer.putObject("organization")
                    .put("id", created.organization().id().toString())
                    .put("name", created.organization().name())
                    .put("created_at", created.organization().createdAt().toString())
                    .put("updated_at", created.organization().updatedAt().toString());
            answer.put("api_key", created.apiKey().value());
            out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            out.flush();
            return 0;
        }
    }
}
