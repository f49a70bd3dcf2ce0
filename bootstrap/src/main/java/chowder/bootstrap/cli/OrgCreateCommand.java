package chowder.bootstrap.cli;

import static chowder.bootstrap.cli.UseCaseCommand.JSON;

import chowder.application.port.in.NewOrganization;
import chowder.domain.Caller;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chowder org create --name NAME}: creates an organization and prints it with its first
 * organization key, the only time that key is shown. Works beside a running server on the same data.
 */
@Command(name = "create", description = "Create an organization and print its first organization key.", mixinStandardHelpOptions = true)
public final class OrgCreateCommand extends AdminCommand {
    @Option(names = "--name", required = true, description = "Organization name, 1 to 128 characters.")
    String name;

    public OrgCreateCommand(Map<String, String> env, PrintWriter out, OpenStore store) {
        super(env, out, store);
    }

    @Override
    Object run(UseCases useCases) {
        NewOrganization created = OrgCommands.admin(useCases).create(Caller.allOrganizations(), name);
        ObjectNode answer = JSON.createObjectNode();
        answer.set("organization", OrgCommands.ADMIN_JSON.organization(created.details()));
        answer.put("api_key", created.apiKey().value());
        return answer;
    }

    @Override
    Object remote(AdminApi api) {
        return api.post("/v1/admin/organizations", JSON.createObjectNode().put("name", name));
    }
}
