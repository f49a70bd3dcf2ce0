package chowder.adapter.http.admin;

import chowder.adapter.http.limits.LimitsJson;
import chowder.adapter.http.organizations.OrganizationJson;
import chowder.application.port.in.OrganizationDetails;
import chowder.application.port.in.OrganizationUsage;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.TokenUsage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * What the admin API answers: an organization as its own {@code GET /v1/organization} shows it plus {@code suspended} and
 * {@code suspended_at}; a plan as {@code chowder org plan} prints it (with JSON booleans and nulls); an organization's usage.
 */
final class AdminOrganizationJson {
    private final ObjectMapper json;

    AdminOrganizationJson(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode organization(OrganizationDetails details) {
        ObjectNode node = OrganizationJson.details(json, details);
        node.put("suspended", details.organization().suspended());
        node.put("suspended_at", details.organization().suspendedAt().map(Instant::toString).orElse(null));
        return node;
    }

    ArrayNode organizations(Iterable<OrganizationDetails> all) {
        ArrayNode array = json.createArrayNode();
        all.forEach(details -> array.add(organization(details)));
        return array;
    }

    ObjectNode plan(OrganizationId organization, OrganizationPlan plan) {
        ObjectNode node = json.createObjectNode().put("organization_id", organization.toString()).put("subscription_tier", plan.tier());
        if (plan.instanceLimit().isPresent()) {
            node.put("instance_limit", plan.instanceLimit().getAsInt());
        } else {
            node.putNull("instance_limit");
        }
        LimitsJson.write(node.putObject("limits"), plan.limits());
        if (plan.operatorModelKeys().isPresent()) {
            node.put("operator_model_keys", plan.operatorModelKeys().get());
        } else {
            node.putNull("operator_model_keys");
        }
        return node;
    }

    ObjectNode usage(OrganizationUsage usage) {
        ObjectNode node = json.createObjectNode().put("organization_id", usage.organization().toString())
                .put("from", usage.window().from().toString()).put("to", usage.window().to().toString());
        counts(node, usage.turns(), usage.usage());
        ArrayNode byInstance = node.putArray("by_instance");
        usage.byInstance().forEach(instance -> counts(byInstance.addObject().put("instance_id", instance.instance().toString())
                .put("name", instance.name()), instance.turns(), instance.usage()));
        return node;
    }

    private static void counts(ObjectNode node, long turns, TokenUsage usage) {
        node.put("turns", turns).put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens())
                .put("total_tokens", usage.totalTokens());
    }
}
