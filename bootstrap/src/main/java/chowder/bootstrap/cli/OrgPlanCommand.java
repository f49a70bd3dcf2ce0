package chowder.bootstrap.cli;

import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.application.port.in.PlanChange;
import chowder.domain.Caller;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.UsageLimits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code chowder org plan}: shows an organization's plan, and changes what is given (the rest stays): its tier, instance
 * limit, budgets and whether it may use the operator's model keys. {@code none} removes a limit; {@code default} returns
 * to the operator's default.
 */
@Command(name = "plan", description = "Show or change an organization's tier, instance limit, budgets and use of the operator's model keys.",
        mixinStandardHelpOptions = true)
public final class OrgPlanCommand extends AdminCommand {

    // A bad option value is a usage error: picocli prints it with the usage and exits with 2.
    @Spec
    CommandSpec spec;

    @Option(names = "--org", required = true, description = "Organization id.")
    UUID organization;

    @Option(names = "--tier", description = "Its subscription_tier (a label, 1 to 64 characters).")
    String tier;

    @Option(names = "--instance-limit", description = "Instances it may have: a number, or 'default' (CHOWDER_MAX_INSTANCES_PER_ORG).")
    String instanceLimit;

    @Option(names = "--tokens-per-day", description = "Model tokens per UTC day, or 'none'.")
    String tokensPerDay;

    @Option(names = "--tokens-per-month", description = "Model tokens per UTC calendar month, or 'none'.")
    String tokensPerMonth;

    @Option(names = "--requests-per-minute", description = "Requests to its agents per minute, or 'none'.")
    String requestsPerMinute;

    @Option(names = "--operator-model-keys", description = "Whether its instances may use the operator's model keys: yes, no or "
            + "'default' (CHOWDER_OPERATOR_MODEL_KEYS).")
    String operatorModelKeys;

    public OrgPlanCommand(Map<String, String> env, PrintWriter out, OpenStore store) {
        super(env, out, store);
    }

    @Override
    Object run(UseCases useCases) {
        OrganizationId id = new OrganizationId(organization);
        PlanChange change = change();
        AdministerOrganizationsUseCase admin = OrgCommands.admin(useCases);
        OrganizationPlan plan = change.equals(PlanChange.NONE) ? admin.plan(Caller.allOrganizations(), id)
                : admin.changePlan(Caller.allOrganizations(), id, () -> change);
        return OrgCommands.ADMIN_JSON.plan(id, plan);
    }

    @Override
    Object remote(AdminApi api) {
        String path = "/v1/admin/organizations/" + organization + "/plan";
        PlanChange change = change();
        if (change.equals(PlanChange.NONE)) {
            return api.get(path);
        }
        ObjectNode body = JSON.createObjectNode();
        change.tier().ifPresent(tier -> body.put("subscription_tier", tier));
        change.instanceLimit().ifPresent(limit -> body.set("instance_limit", limit.isPresent() ? JSON.valueToTree(limit.getAsInt()) : body.nullNode()));
        ObjectNode limits = JSON.createObjectNode();
        change.tokensPerDay().ifPresent(limit -> limits.set("tokens_per_day", json(limit)));
        change.tokensPerMonth().ifPresent(limit -> limits.set("tokens_per_month", json(limit)));
        change.requestsPerMinute().ifPresent(limit -> limits.set("requests_per_minute", json(limit)));
        if (!limits.isEmpty()) {
            body.set("limits", limits);
        }
        change.operatorModelKeys().ifPresent(allowed -> body.set("operator_model_keys", allowed.<JsonNode>map(JSON::valueToTree).orElse(body.nullNode())));
        return api.patch(path, body);
    }

    /** The options given, as a change to the plan (bad values are usage errors). */
    private PlanChange change() {
        return new PlanChange(Optional.ofNullable(tier), Optional.ofNullable(instanceLimit).map(this::instanceLimit),
                Optional.ofNullable(tokensPerDay).map(text -> limit("--tokens-per-day", text, UsageLimits.MAX_VALUE)),
                Optional.ofNullable(tokensPerMonth).map(text -> limit("--tokens-per-month", text, UsageLimits.MAX_VALUE)),
                Optional.ofNullable(requestsPerMinute).map(text -> limit("--requests-per-minute", text, UsageLimits.MAX_REQUESTS_PER_MINUTE)),
                Optional.ofNullable(operatorModelKeys).map(this::operatorModelKeys));
    }

    private static JsonNode json(OptionalLong limit) {
        return limit.isPresent() ? JSON.valueToTree(limit.getAsLong()) : JSON.nullNode();
    }

    private OptionalInt instanceLimit(String text) {
        if (text.equals("default")) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(number("--instance-limit", text, Integer.MAX_VALUE).intValue());
    }

    private OptionalLong limit(String option, String text, long max) {
        return text.equals("none") ? OptionalLong.empty() : OptionalLong.of(number(option, text, max));
    }

    private Optional<Boolean> operatorModelKeys(String text) {
        return switch (text) {
            case "yes" -> Optional.of(true);
            case "no" -> Optional.of(false);
            case "default" -> Optional.empty();
            default -> throw new ParameterException(spec.commandLine(), "--operator-model-keys must be yes, no or default, not " + text);
        };
    }

    private Long number(String option, String text, long max) {
        try {
            long value = Long.parseLong(text);
            if (value < 0 || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), option + " must be a whole number from 0 to " + max + ", not " + text);
        }
    }
}
