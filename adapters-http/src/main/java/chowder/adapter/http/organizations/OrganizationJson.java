package chowder.adapter.http.organizations;

import chowder.adapter.http.limits.LimitsJson;
import chowder.application.port.in.OrganizationDetails;
import chowder.domain.Organization;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An organization's own fields as the hosted API shows them, and the whole object of {@code GET /v1/organization}: the
 * providers it holds a key for (never a key), its tier, instance limit and count, and the budgets the operator gave it.
 */
public final class OrganizationJson {
    private OrganizationJson() {}

    public static ObjectNode of(ObjectMapper json, Organization organization) {
        return json.createObjectNode()
                .put("id", organization.id().toString())
                .put("name", organization.name())
                .put("created_at", organization.createdAt().toString())
                .put("updated_at", organization.updatedAt().toString());
    }

    /** The object {@code GET /v1/organization} answers. */
    public static ObjectNode details(ObjectMapper json, OrganizationDetails details) {
        ObjectNode node = of(json, details.organization());
        var providers = node.putArray("model_providers");
        details.modelProviders().stream().sorted().forEach(provider -> providers.add(provider.value()));
        node.put("subscription_tier", details.plan().tier());
        instanceLimit(node, details).put("instance_count", details.instanceCount());
        LimitsJson.write(node.putObject("limits"), details.plan().limits());
        return node;
    }

    static ObjectNode instanceLimit(ObjectNode node, OrganizationDetails details) {
        if (details.instanceLimit().isPresent()) {
            node.put("instance_limit", details.instanceLimit().getAsInt());
        } else {
            node.putNull("instance_limit");
        }
        return node;
    }
}
