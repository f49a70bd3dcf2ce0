package chowder.bootstrap.cli;

import static chowder.bootstrap.cli.UseCaseCommand.JSON;

import chowder.adapter.http.organizations.OrganizationJson;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.domain.Caller;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code chowder org list}: every organization, as the API shows one. */
@Command(name = "list", description = "List every organization.", mixinStandardHelpOptions = true)
public final class OrgListCommand extends UseCaseCommand {
    public OrgListCommand(Map<String, String> env, PrintWriter out, OpenStore store) {
        super(env, out, store);
    }

    @Override
    Object run(UseCases useCases) {
        ArrayNode array = JSON.createArrayNode();
        useCases.get(ManageOrganizationUseCase.class).listAll(Caller.allOrganizations())
                .forEach(organization -> array.add(OrganizationJson.of(JSON, organization)));
        return array;
    }
}
