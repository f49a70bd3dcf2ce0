package chowder.adapter.http.admin;

import static java.util.Objects.requireNonNull;

import chowder.adapter.http.JsonBodies;
import chowder.adapter.http.QueryTimestamps;
import chowder.adapter.http.keys.KeyJson;
import chowder.application.port.in.AdministerOrganizationsUseCase;
import chowder.application.port.in.NewOrganization;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.OrganizationId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
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
    private static final Set<String> NEW_ORGANIZATION_FIELDS = Set.of("name");
    private static final Set<String> ORGANIZATION_CHANGE_FIELDS = Set.of("name", "suspended");
    private static final Set<String> NEW_KEY_FIELDS = Set.of("name");

    private static final Caller OPERATOR = Caller.allOrganizations();

    private final AdministerOrganizationsUseCase administration;
    private final AdminAuthentication authentication;
    private final JsonBodies bodies;
    private final AdminOrganizationJson answers;
    private final KeyJson keys;
    private final ObjectMapper json;
    private final AdminAudit audit = new AdminAudit(System::nanoTime);

    public AdminRoutes(AdministerOrganizationsUseCase administration, AdminToken token, JsonBodies bodies, ObjectMapper json) {
        this.administration = requireNonNull(administration, "administration is null");
        this.authentication = new AdminAuthentication(token, audit);
        this.bodies = requireNonNull(bodies, "bodies is null");
        this.answers = new AdminOrganizationJson(json);
        this.keys = new KeyJson(json);
        this.json = requireNonNull(json, "json is null");
    }

    /** Whether {@code path} belongs to the admin API (which API keys never authenticate). */
    public static boolean isAdminPath(String path) {
        return path.startsWith(PREFIX) || path.equals(PREFIX.substring(0, PREFIX.length() - 1));
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
        ObjectNode body = bodies.readObject(ctx);
        KnownFields.require(body, NEW_ORGANIZATION_FIELDS, "", "a field of a new organization");
        NewOrganization created = administration.create(OPERATOR, JsonBodies.optionalString(body, "name"));
        audit.created(created.details().organization().id(), created.details().organization().name());
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
        KnownFields.require(body, ORGANIZATION_CHANGE_FIELDS, "", "an organization field");
        // A field given must say something: null would be a silent no-op, like an unknown field.
        Optional<String> name = Optional.ofNullable(body.get("name")).map(value -> {
            if (!value.isTextual()) {
                throw ChowderException.validationFailed("name must be a string.");
            }
            return value.asText();
        });
        Optional<Boolean> suspended = Optional.ofNullable(body.get("suspended")).map(value -> {
            if (!value.isBoolean()) {
                throw ChowderException.validationFailed("suspended must be true or false.");
            }
            return value.asBoolean();
        });
        var updated = administration.update(OPERATOR, organization, name, suspended);
        name.ifPresent(given -> audit.renamed(organization, updated.organization().name()));
        suspended.ifPresent(given -> audit.suspended(organization, given));
        ctx.json(answers.organization(updated));
    }

    void issueKey(Context ctx) {
        OrganizationId organization = organization(ctx);
        // The body is optional: an organization key needs nothing but, at most, a name.
        String name = bodies.readOptionalObject(ctx).map(AdminRoutes::keyName).orElse(null);
        var issued = administration.issueKey(OPERATOR, organization, name == null ? DEFAULT_KEY_NAME : name);
        audit.keyIssued(issued.key());
        ctx.status(201).json(keys.created(issued));
    }

    void plan(Context ctx) {
        OrganizationId organization = organization(ctx);
        ctx.json(answers.plan(organization, administration.plan(OPERATOR, organization)));
    }

    void changePlan(Context ctx) {
        OrganizationId organization = organization(ctx);
        // The body is read only once the organization is found: an unknown one is a 404 whatever the body holds.
        var changed = administration.changePlan(OPERATOR, organization, () -> PlanChangeJson.read(bodies.readObject(ctx)));
        ObjectNode plan = answers.plan(organization, changed);
        audit.planChanged(organization, plan);
        ctx.json(plan);
    }

    void usage(Context ctx) {
        OrganizationId organization = organization(ctx);
        Optional<Instant> from = Optional.ofNullable(ctx.queryParam("from")).map(text -> QueryTimestamps.instant("from", text));
        Optional<Instant> to = Optional.ofNullable(ctx.queryParam("to")).map(text -> QueryTimestamps.instant("to", text));
        ctx.json(answers.usage(administration.usage(OPERATOR, organization, from, to)));
    }

    private static String keyName(ObjectNode body) {
        KnownFields.require(body, NEW_KEY_FIELDS, "", "a field of a new key");
        return JsonBodies.optionalString(body, "name");
    }

    /** The path's organization id; anything that is not a UUID names no organization. */
    private static OrganizationId organization(Context ctx) {
        try {
            return new OrganizationId(UUID.fromString(ctx.pathParam("org_id")));
        } catch (IllegalArgumentException e) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Organization not found.");
        }
    }
}
