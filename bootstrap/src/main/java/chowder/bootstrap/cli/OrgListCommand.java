package chowder.bootstrap.cli;

import chowder.domain.Caller;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code chowder org list}: every organization, as the admin API shows one (suspended ones included). */
@Command(name = "list", description = "List every organization.", mixinStandardHelpOptions = true)
public final class OrgListCommand extends AdminCommand {
    public OrgListCommand(Map<String, String> env, PrintWriter out, OpenStore store) {
        super(env, out, store);
    }

    @Override
    Object run(UseCases useCases) {
        return OrgCommands.ADMIN_JSON.organizations(OrgCommands.admin(useCases).list(Caller.allOrganizations()));
    }

    @Override
    Object remote(AdminApi api) {
        return api.get("/v1/admin/organizations");
    }
}
