package chowder.adapter.http.admin;

import chowder.application.port.in.PlanChange;
import chowder.domain.ChowderException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The body of {@code PATCH /v1/admin/organizations/{org_id}/plan}: any of the plan's fields, an absent one unchanged;
 * {@code limits} changes only the fields it names. Null is "none" for a limit and "the operator's default" for
 * {@code instance_limit} and {@code operator_model_keys}. An unknown field is refused, not ignored.
 */
final class PlanChangeJson {
    private static final Set<String> FIELDS = Set.of("subscription_tier", "instance_limit", "limits", "operator_model_keys");
    private static final Set<String> LIMIT_FIELDS = Set.of("tokens_per_day", "tokens_per_month", "requests_per_minute");

    private PlanChangeJson() {}

    static PlanChange read(ObjectNode body) {
        known(body, FIELDS, "");
        Optional<String> tier = Optional.ofNullable(body.get("subscription_tier")).map(value -> {
            if (!value.isTextual()) {
                throw ChowderException.validationFailed("subscription_tier must be a string.");
            }
            return value.asText();
        });
        Optional<OptionalInt> instanceLimit = Optional.ofNullable(body.get("instance_limit")).map(value -> {
            if (value.isNull()) {
                return OptionalInt.empty();
            }
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw ChowderException.validationFailed("instance_limit must be a whole number (0: unlimited) or null (the operator's default).");
            }
            return OptionalInt.of(value.asInt());
        });
        Optional<Optional<Boolean>> operatorModelKeys = Optional.ofNullable(body.get("operator_model_keys")).map(value -> {
            if (value.isNull()) {
                return Optional.empty();
            }
            if (!value.isBoolean()) {
                throw ChowderException.validationFailed("operator_model_keys must be true, false or null (the operator's default).");
            }
            return Optional.of(value.asBoolean());
        });
        JsonNode limits = body.get("limits");
        if (limits != null && !limits.isObject()) {
            throw ChowderException.validationFailed("limits must be an object of tokens_per_day, tokens_per_month and requests_per_minute.");
        }
        ObjectNode given = limits == null ? body.objectNode() : (ObjectNode) limits;
        known(given, LIMIT_FIELDS, "limits.");
        return new PlanChange(tier, instanceLimit, limit(given, "tokens_per_day"), limit(given, "tokens_per_month"),
                limit(given, "requests_per_minute"), operatorModelKeys);
    }

    private static Optional<OptionalLong> limit(ObjectNode limits, String field) {
        return Optional.ofNullable(limits.get(field)).map(value -> {
            if (value.isNull()) {
                return OptionalLong.empty();
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw ChowderException.validationFailed("limits." + field + " must be a whole number or null (no limit).");
            }
            return OptionalLong.of(value.asLong());
        });
    }

    private static void known(ObjectNode body, Set<String> fields, String where) {
        body.fieldNames().forEachRemaining(name -> {
            if (!fields.contains(name)) {
                throw ChowderException.validationFailed(where + shorten(name) + " is not a plan field; the fields are "
                        + fields.stream().sorted().toList() + ".");
            }
        });
    }

    private static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
