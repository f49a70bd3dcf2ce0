package chowder.adapter.http.skills;

import chowder.adapter.http.BearerAuthentication;
import chowder.adapter.http.JsonBodies;
import chowder.application.port.in.ManageSkillsUseCase;
import chowder.application.port.in.ManageSkillsUseCase.SkillInstallation;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import chowder.domain.SkillSettingsPatch;
import chowder.domain.SkillStatus;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Skills of provisioned instances, as the hosted API has them (permission {@code configure}): list, show, install,
 * change settings; removing one is an extension. Secrets ({@code apiKey}, {@code env} values) are write-only: no
 * answer carries them, {@code env_applied} names the variables only.
 */
public final class SkillRoutes {
    private static final String SKILLS = "/v1/instances/{id}/skills";
    private static final String INSTALL = SKILLS + "/install";
    private static final String SKILL = SKILLS + "/{skill_name}";

    private static final Set<String> PATCH_FIELDS = Set.of("enabled", "apiKey", "env", "config");
    private static final TypeReference<Map<String, Object>> PLAIN_MAP = new TypeReference<>() {};

    private final ManageSkillsUseCase skills;
    private final JsonBodies bodies;
    private final ObjectMapper json;

    public SkillRoutes(ManageSkillsUseCase skills, JsonBodies bodies, ObjectMapper json) {
        this.skills = skills;
        this.bodies = bodies;
        this.json = json;
    }

    /** Adds its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.get(SKILLS, this::list);
        routes.post(INSTALL, this::install);
        routes.get(SKILL, this::get);
        routes.patch(SKILL, this::update);
        routes.delete(SKILL, this::remove);
    }

    void list(Context ctx) {
        boolean readyOnly = flag(ctx.queryParam("eligible_only"));
        ArrayNode answer = json.createArrayNode();
        for (SkillStatus skill : skills.list(BearerAuthentication.of(ctx), instanceId(ctx), readyOnly)) {
            answer.addObject().put("name", skill.name()).put("description", skill.description()).put("source", skill.source())
                    .put("ready", skill.ready());
        }
        ctx.json(answer);
    }

    void get(Context ctx) {
        SkillStatus skill = skills.get(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("skill_name"));
        ObjectNode answer = json.createObjectNode().put("name", skill.name()).put("description", skill.description())
                .put("source", skill.source()).put("path", skill.path()).put("ready", skill.ready());
        // Not in the hosted answer: what the skill still needs, so that a client can ask for it.
        answer.set("missing_env", json.valueToTree(skill.missingEnv()));
        ctx.json(answer);
    }

    void install(Context ctx) {
        skills.requireAccess(BearerAuthentication.of(ctx), instanceId(ctx));
        ObjectNode body = bodies.readObject(ctx);
        JsonNode slug = body.path("slug");
        if (!slug.isTextual()) {
            throw ChowderException.validationFailed("slug is required: the name of the skill to install, such as weather-report.");
        }
        SkillInstallation done = skills.install(BearerAuthentication.of(ctx), instanceId(ctx), slug.asText(), env(body.get("env")));
        ObjectNode answer = json.createObjectNode().put("skill", done.skill().name())
                .put("status", done.missingEnv() ? "installed_missing_env" : "installed")
                .put("output", done.output());
        answer.set("env_applied", json.valueToTree(done.envApplied()));
        answer.set("required_env", json.valueToTree(done.requiredEnv()));
        answer.put("message", done.message());
        // Not in the hosted answer: where the skill came from (catalog or clawhub).
        answer.put("source", done.source());
        ctx.json(answer);
    }

    void update(Context ctx) {
        skills.requireAccess(BearerAuthentication.of(ctx), instanceId(ctx));
        ObjectNode body = bodies.readObject(ctx);
        body.fieldNames().forEachRemaining(field -> {
            if (!PATCH_FIELDS.contains(field)) {
                throw ChowderException.validationFailed("Unknown field " + field + ": a skill's settings are enabled, apiKey, env and config.");
            }
        });
        Optional<Boolean> enabled = Optional.empty();
        if (body.has("enabled")) {
            if (!body.get("enabled").isBoolean()) {
                throw ChowderException.validationFailed("enabled must be true or false.");
            }
            enabled = Optional.of(body.get("enabled").asBoolean());
        }
        Optional<String> apiKey = Optional.empty();
        if (body.has("apiKey")) {
            if (!body.get("apiKey").isTextual()) {
                throw ChowderException.validationFailed("apiKey must be a string (\"\" removes it).");
            }
            apiKey = Optional.of(body.get("apiKey").asText());
        }
        Map<String, Object> config = Map.of();
        if (body.has("config")) {
            if (!body.get("config").isObject()) {
                throw ChowderException.validationFailed("config must be an object: the keys to set (null removes one).");
            }
            config = json.convertValue(body.get("config"), PLAIN_MAP);
        }
        skills.update(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("skill_name"),
                new SkillSettingsPatch(enabled, apiKey, env(body.get("env")), config));
        ctx.status(204);
    }

    void remove(Context ctx) {
        skills.remove(BearerAuthentication.of(ctx), instanceId(ctx), ctx.pathParam("skill_name"));
        ctx.status(204);
    }

    /** {@code env}: an object of strings (null or "" removes one); absent is none. */
    private static Map<String, String> env(JsonNode env) {
        if (env == null || env.isNull()) {
            return Map.of();
        }
        if (!env.isObject()) {
            throw ChowderException.validationFailed("env must be an object of environment variable names to string values.");
        }
        Map<String, String> values = new LinkedHashMap<>();
        env.fields().forEachRemaining(field -> {
            JsonNode value = field.getValue();
            if (!value.isTextual() && !value.isNull()) {
                throw ChowderException.validationFailed("env values must be strings; " + field.getKey() + " is not.");
            }
            values.put(field.getKey(), value.isNull() ? null : value.asText());
        });
        return values;
    }

    private static boolean flag(String text) {
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw ChowderException.invalidRequest("eligible_only must be true or false.");
    }

    private static InstanceId instanceId(Context ctx) {
        return InstanceId.parse(ctx.pathParam("id"));
    }
}
