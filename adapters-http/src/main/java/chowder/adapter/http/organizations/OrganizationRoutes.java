package chowder.adapter.http.organizations;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.in.CreateOrganizationUseCase;
import chowder.application.port.in.ManageOrganizationUseCase;
import chowder.application.port.in.NewOrganization;
import chowder.application.port.in.OrganizationDetails;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The hosted organization and subscription endpoints and the optional signup. The organization object carries the
 * providers it holds a key for (never a key), its tier, instance limit and count, and, an extension, the budgets the
 * operator gave it. Billing is not part of a self-hosted Chowder: checkout and portal are a clear 404.
 */
public final class OrganizationRoutes {
    /** The one route without a key (a 404 while signup is disabled). */
    public static final String SIGNUP = "/v1/organization/signup";
    static final String BILLING_DISABLED = "Billing is not enabled on this Chowder: its operator sets each organization's tier and limits.";

    private final ManageOrganizationUseCase organizations;
    private final CreateOrganizationUseCase createOrganization;
    private final JsonBodies bodies;
    private final ObjectMapper json;

    public OrganizationRoutes(ManageOrganizationUseCase organizations, CreateOrganizationUseCase createOrganization, JsonBodies bodies,
            ObjectMapper json) {
        this.organizations = organizations;
        this.createOrganization = createOrganization;
        this.bodies = bodies;
        this.json = json;
    }

    /** Adds its routes to Javalin's; signup only when {@code signupEnabled}. */
    public void register(RoutesConfig routes, boolean signupEnabled) {
        if (signupEnabled) {
            routes.post(SIGNUP, this::signup);
        }
        routes.get("/v1/organization", this::get);
        routes.patch("/v1/organization", this::update);
        routes.get("/v1/subscription", this::subscription);
        routes.post("/v1/subscription/checkout", this::billing);
        routes.post("/v1/subscription/portal", this::billing);
    }

    void get(Context ctx) {
        ctx.json(organization(organizations.get(BearerAuthentication.of(ctx))));
    }

    void update(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        ctx.json(organization(organizations.update(BearerAuthentication.of(ctx), Optional.ofNullable(JsonBodies.optionalString(body, "name")),
                modelApiKeys(body))));
    }

    void signup(Context ctx) {
        ObjectNode body = bodies.readObject(ctx);
        NewOrganization created = createOrganization.create(JsonBodies.optionalString(body, "name"));
        ObjectNode answer = json.createObjectNode();
        answer.set("organization", organization(created.details()));
        answer.put("api_key", created.apiKey().value());
        ctx.status(201).json(answer);
    }

    void subscription(Context ctx) {
        OrganizationDetails details = organizations.get(BearerAuthentication.of(ctx));
        ObjectNode answer = json.createObjectNode().put("tier", details.plan().tier());
        OrganizationJson.instanceLimit(answer, details).put("instance_count", details.instanceCount())
                .putNull("stripe_customer_id")
                .putNull("stripe_subscription_id");
        ctx.json(answer);
    }

    /** Checkout and portal: an organization key is still required, so nothing answers an anonymous caller differently. */
    void billing(Context ctx) {
        organizations.get(BearerAuthentication.of(ctx));
        throw new ChowderException(ErrorCode.BILLING_DISABLED, BILLING_DISABLED);
    }

    private ObjectNode organization(OrganizationDetails details) {
        return OrganizationJson.details(json, details);
    }

    /** {@code model_api_keys}: an object of provider names to keys ({@code ""} removes one); absent or null: no change. */
    private static Map<String, String> modelApiKeys(ObjectNode body) {
        JsonNode keys = body.get("model_api_keys");
        if (keys == null || keys.isNull()) {
            return Map.of();
        }
        if (!keys.isObject()) {
            throw ChowderException.validationFailed("model_api_keys must be an object of provider names to keys.");
        }
        Map<String, String> read = new LinkedHashMap<>();
        keys.properties().forEach(entry -> {
            if (!entry.getValue().isTextual()) {
                // The value is not quoted back: it may be a key in the wrong shape.
                throw ChowderException.validationFailed("model_api_keys." + entry.getKey() + " must be a string (\"\" removes the key).");
            }
            read.put(entry.getKey(), entry.getValue().asText());
        });
        return read;
    }
}
