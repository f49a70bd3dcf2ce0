package chowder.bootstrap.cli;

import chowder.adapter.http.limits.LimitsJson;
import chowder.application.port.in.ManageLimitsUseCase;
import chowder.domain.Caller;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.UsageLimits;
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
public final class OrgPlanCommand extends UseCaseCommand {

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
        ManageLimitsUseCase limits = useCases.get(ManageLimitsUseCase.class);
        OrganizationId id = new OrganizationId(organization);
        Caller operator = Caller.operatorFor(id);
        OrganizationPlan plan = limits.plan(operator, id);
        boolean changed = tier != null || instanceLimit != null || tokensPerDay != null || tokensPerMonth != null || requestsPerMinute != null
                || operatorModelKeys != null;
        if (changed) {
            UsageLimits current = plan.limits();
            plan = limits.setPlan(operator, id, new OrganizationPlan(
                    tier == null ? plan.tier() : tier,
                    instanceLimit == null ? plan.instanceLimit() : instanceLimit(instanceLimit),
                    new UsageLimits(
                            tokensPerDay == null ? current.tokensPerDay() : limit("--tokens-per-day", tokensPerDay, UsageLimits.MAX_VALUE),
                            tokensPerMonth == null ? current.tokensPerMonth() : limit("--tokens-per-month", tokensPerMonth, UsageLimits.MAX_VALUE),
                            requestsPerMinute == null ? current.requestsPerMinute()
                                    : limit("--requests-per-minute", requestsPerMinute, UsageLimits.MAX_REQUESTS_PER_MINUTE)),
                    operatorModelKeys == null ? plan.operatorModelKeys() : operatorModelKeys(operatorModelKeys)));
        }
        ObjectNode answer = JSON.createObjectNode().put("organization_id", id.toString()).put("subscription_tier", plan.tier());
        if (plan.instanceLimit().isPresent()) {
            answer.put("instance_limit", plan.instanceLimit().getAsInt());
        } else {
            answer.put("instance_limit", "default");
        }
        LimitsJson.write(answer.putObject("limits"), plan.limits());
        answer.put("operator_model_keys", plan.operatorModelKeys().map(allowed -> allowed ? "yes" : "no").orElse("default"));
        return answer;
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
