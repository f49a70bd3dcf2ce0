package chowder.adapter.http.organizations;

import chowder.domain.Organization;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An organization's own fields as the hosted API shows them; {@code GET /v1/organization} adds its plan and counts. */
public final class OrganizationJson {
    private OrganizationJson() {}

    public static ObjectNode of(ObjectMapper json, Organization organization) {
        return json.createObjectNode()
                .put("id", organization.id().toString())
                .put("name", organization.name())
                .put("created_at", organization.createdAt().toString())
                .put("updated_at", organization.updatedAt().toString());
    }
}
