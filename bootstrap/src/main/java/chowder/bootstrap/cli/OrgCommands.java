package chowder.bootstrap.cli;

import static chowder.bootstrap.cli.UseCaseCommand.JSON;

import chowder.adapter.http.admin.AdminOrganizationJson;
import chowder.adapter.http.keys.KeyJson;
import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.domain.Caller;
import chowder.domain.OrganizationId;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chowder org show|rename|suspend|resume|key|usage}: the operator's organization administration, through the admin
 * API of the server at {@code CHOWDER_URL} when it is set, else on the store; answered in the admin API's JSON.
 */
public final class OrgCommands {
    private static final String ORGANIZATIONS = "/v1/admin/organizations/";
    static final AdminOrganizationJson ADMIN_JSON = new AdminOrganizationJson(JSON);
    private static final KeyJson KEYS = new KeyJson(JSON);

    private OrgCommands() {}

    @Command(name = "show", description = "Show an organization: its plan, instance count and whether it is suspended.",
            mixinStandardHelpOptions = true)
    public static final class Show extends AdminCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        public Show(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            return ADMIN_JSON.organization(admin(useCases).get(Caller.allOrganizations(), new OrganizationId(organization)));
        }

        @Override
        Object remote(AdminApi api) {
            return api.get(ORGANIZATIONS + organization);
        }
    }

    @Command(name = "rename", description = "Rename an organization.", mixinStandardHelpOptions = true)
    public static final class Rename extends AdminCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        @Option(names = "--name", required = true, description = "Its new name, 1 to 128 characters.")
        String name;

        public Rename(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            return ADMIN_JSON.organization(admin(useCases).update(Caller.allOrganizations(), new OrganizationId(organization), Optional.of(name), Optional.empty()));
        }

        @Override
        Object remote(AdminApi api) {
            return api.patch(ORGANIZATIONS + organization, JSON.createObjectNode().put("name", name));
        }
    }

    @Command(name = "suspend", description = "Suspend an organization: its keys are refused (403) until it is resumed; its instances keep running.",
            mixinStandardHelpOptions = true)
    public static final class Suspend extends Suspension {
        public Suspend(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store, true);
        }
    }

    @Command(name = "resume", description = "Resume a suspended organization: its keys work again at once.", mixinStandardHelpOptions = true)
    public static final class Resume extends Suspension {
        public Resume(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store, false);
        }
    }

    /** Suspends or resumes, by the command's name. */
    abstract static class Suspension extends AdminCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        private final boolean suspended;

        Suspension(Map<String, String> env, PrintWriter out, OpenStore store, boolean suspended) {
            super(env, out, store);
            this.suspended = suspended;
        }

        @Override
        Object run(UseCases useCases) {
            return ADMIN_JSON.organization(admin(useCases).update(Caller.allOrganizations(), new OrganizationId(organization), Optional.empty(),
                    Optional.of(suspended)));
        }

        @Override
        Object remote(AdminApi api) {
            return api.patch(ORGANIZATIONS + organization, JSON.createObjectNode().put("suspended", suspended));
        }
    }

    @Command(name = "key", description = "Issue another organization key (shown once).", mixinStandardHelpOptions = true)
    public static final class IssueKey extends AdminCommand {
        @Option(names = "--org", required = true, description = "Organization id.")
        UUID organization;

        @Option(names = "--name", defaultValue = "admin", description = "Key name, 1 to 128 characters (default: ${DEFAULT-VALUE}).")
        String name;

        public IssueKey(Map<String, String> env, PrintWriter out, OpenStore store) {
            super(env, out, store);
        }

        @Override
        Object run(UseCases useCases) {
            return KEYS.created(admin(useCases).issueKey(Caller.allOrganizations(), new OrganizationId(organization), name));
        }

        @Override
        Object remote(AdminApi api) {
            return api.post(ORGANIZATIONS + organization + "/keys", JSON.createObjectNode().put("name", name));
        }
    }

    static AdministerOrganizationsUseCase admin(UseCases useCases) {
        return useCases.get(AdministerOrganizationsUseCase.class);
    }
}
