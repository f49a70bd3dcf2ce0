package chowder.adapter.http.admin;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.JsonBodies;
import chowder.adapter.http.keys.KeyJson;
import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.application.port.in.NewOrganization;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;

/**
 * The operator's admin API (issue #21) under {@value #PREFIX}: organizations, their keys, plans and usage, behind the
 * admin token ({@code CHOWDER_ADMIN_TOKEN}) and no API key. Registered only when the token is set; otherwise every path
 * under the prefix is a plain 404, like an unknown route.
 */
public final class AdminRoutes {
    public static final String PREFIX = "/v1/admin/";
    static final String ORGANIZATIONS = "/v1/admin/organizations";
    static final String ORGANIZATION = ORGANIZATIONS + "/{org_id}";
    static final String DEFAULT_KEY_NAME = "admin";
    /** What a path under the prefix answers while the admin API is off. */
    public static final String OFF = "Not found.";

    private static final Caller OPERATOR = Caller.allOrganizations();

    private final AdministerOrganizationsUseCase administration;
    private final AdminAuthentication authentication;
    private final JsonBodies bodies;
    private final AdminOrganizationJson answers;
    private final KeyJson keys;
    private final ObjectMapper json;

    public AdminRoutes(AdministerOrganizationsUseCase administration, AdminToken token, JsonBodies bodies, ObjectMapper json) {
        this.administration = requireNonNull(administration, "administration is null");
        this.authentication = new AdminAuthentication(token);
        this.bodies = requireNonNull(bodies, "bodies is null");
        this.answers = new AdminOrganizationJson(json);
        this.keys = new KeyJson(json);
        this.json = requireNonNull(json, "json is null");
    }

    /** Whether {@code path} belongs to the admin API (which API keys never authenticate). */
    public static boolean isAdminPath(String path) {
        return path.startsWith(PREFIX) || path.equals(PREFIX.substring(0, PREFIX.length() - 1));
    }

    /** The answer to every admin path while the admin API is off. */
    public static void off(Context ctx) {
        throw new ChowderException(ErrorCode.NOT_FOUND, OFF);
    }

    /** Adds its token check and its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.before(PREFIX + "*", authentication::authenticate);
        routes.get(ORGANIZATIONS, this::list);
        routes.post(ORGANIZATIONS, this::create);
        routes.get(ORGANIZATION, this::get);
        routes.patch(ORGANIZATION, this::update);
        routes.post(ORGANIZATION + "/keys", this::issueKey);
        routes.get(ORGANIZATION + "/plan", this::plan);
        routes.patch(ORGANIZATION + "/plan", this::changePlan);
        routes.get(ORGANIZATION + "/usage", this::usage);
    }

    void list(Context ctx) {
        ctx.json(answers.organizations(administration.list(OPERATOR)));
    }

    void create(Context ctx) {
        NewOrganization created = administration.create(OPERATOR, JsonBodies.optionalString(bodies.readObject(ctx), "name"));
        ObjectNode answer = json.createObjectNode();
        answer.set("organization", answers.organization(created.details()));
        answer.put("api_key", created.apiKey().value());
        ctx.status(201).json(answer);
    }

    void get(Context ctx) {
        ctx.json(answers.organization(administration.get(OPERATOR, organization(ctx))));
    }

    void update(Context ctx) {
        OrganizationId organization = organization(ctx);
        ObjectNode body = bodies.readObject(ctx);
        JsonNode suspended = body.get("suspended");
        if (suspended != null && !suspended.isNull() && !suspended.isBoolean()) {
            throw ChowderException.validationFailed("suspended must be true or false.");
        }
        ctx.json(answers.organization(administration.update(OPERATOR, organization,
                Optional.ofNullable(JsonBodies.optionalString(body, "name")),
                Optional.ofNullable(suspended).filter(JsonNode::isBoolean).map(JsonNode::asBoolean))));
    }

    void issueKey(Context ctx) {
        OrganizationId organization = organization(ctx);
        // The body is optional: an organization key needs nothing but, at most, a name.
        String name = ctx.contentLength() == 0 ? null : JsonBodies.optionalString(bodies.readObject(ctx), "name");
        ctx.status(201).json(keys.created(administration.issueKey(OPERATOR, organization, name == null ? DEFAULT_KEY_NAME : name)));
    }

    void plan(Context ctx) {
        OrganizationId organization = organization(ctx);
        ctx.json(answers.plan(organization, administration.plan(OPERATOR, organization)));
    }

    void changePlan(Context ctx) {
        OrganizationId organization = organization(ctx);
        // The organization first: an unknown one is a 404 whatever the body holds.
        administration.plan(OPERATOR, organization);
        var change = PlanChangeJson.read(bodies.readObject(ctx));
        ctx.json(answers.plan(organization, administration.changePlan(OPERATOR, organization, change)));
    }

    void usage(Context ctx) {
        OrganizationId organization = organization(ctx);
        Optional<Instant> from = Optional.ofNullable(ctx.queryParam("from")).map(text -> instant("from", text));
        Optional<Instant> to = Optional.ofNullable(ctx.queryParam("to")).map(text -> instant("to", text));
        ctx.json(answers.usage(administration.usage(OPERATOR, organization, from, to)));
    }

    /** The path's organization id; anything that is not a UUID names no organization. */
    private static OrganizationId organization(Context ctx) {
        try {
            return new OrganizationId(UUID.fromString(ctx.pathParam("org_id")));
        } catch (IllegalArgumentException e) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Organization not found.");
        }
    }

    /** As the instance usage route reads {@code from} and {@code to}. */
    private static Instant instant(String name, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ChowderException.invalidRequest(name + " must be an ISO 8601 timestamp with an offset, e.g. 2026-11-01T00:00:00Z.");
        }
    }
}
