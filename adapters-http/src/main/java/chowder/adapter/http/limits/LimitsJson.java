package chowder.adapter.http.limits;

import chowder.domain.ChowderException;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Limits as JSON: {@code {"tokens_per_day": n|null, "tokens_per_month": n|null, "requests_per_minute": n|null}} (null or
 * absent: no limit), and session limits as {@code {"rules": [{"session_prefix": "user-", …limits}]}}.
 */
public final class LimitsJson {
    private static final Set<String> LIMIT_FIELDS = Set.of("tokens_per_day", "tokens_per_month", "requests_per_minute");
    private static final Set<String> RULE_FIELDS = Set.of("session_prefix", "tokens_per_day", "tokens_per_month", "requests_per_minute");

    private LimitsJson() {}

    static UsageLimits read(ObjectNode body, String where) {
        unknownFields(body, LIMIT_FIELDS, where);
        return new UsageLimits(number(body, "tokens_per_day", where), number(body, "tokens_per_month", where),
                number(body, "requests_per_minute", where));
    }

    public static ObjectNode write(ObjectNode node, UsageLimits limits) {
        put(node, "tokens_per_day", limits.tokensPerDay());
        put(node, "tokens_per_month", limits.tokensPerMonth());
        put(node, "requests_per_minute", limits.requestsPerMinute());
        return node;
    }

    static SessionLimits readSessionLimits(ObjectNode body) {
        unknownFields(body, Set.of("rules"), "");
        JsonNode rules = body.get("rules");
        if (rules == null || !rules.isArray()) {
            throw ChowderException.validationFailed("rules must be an array of {session_prefix, tokens_per_day, tokens_per_month, "
                    + "requests_per_minute} ([] removes every session limit).");
        }
        if (rules.size() > SessionLimits.MAX_RULES) {
            throw ChowderException.validationFailed("an instance has at most " + SessionLimits.MAX_RULES + " session limit rules.");
        }
        List<SessionLimitRule> read = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            String where = "rules[" + i + "].";
            if (!(rules.get(i) instanceof ObjectNode rule)) {
                throw ChowderException.validationFailed(where.substring(0, where.length() - 1) + " must be an object.");
            }
            unknownFields(rule, RULE_FIELDS, where);
            JsonNode prefix = rule.get("session_prefix");
            if (prefix != null && !prefix.isNull() && !prefix.isTextual()) {
                throw ChowderException.validationFailed(where + "session_prefix must be a string.");
            }
            try {
                read.add(new SessionLimitRule(prefix == null || prefix.isNull() ? "" : prefix.asText(), new UsageLimits(
                        number(rule, "tokens_per_day", where), number(rule, "tokens_per_month", where),
                        number(rule, "requests_per_minute", where))));
            } catch (ChowderException e) {
                throw ChowderException.validationFailed(where + " " + e.getMessage());
            }
        }
        return new SessionLimits(read);
    }

    static ObjectNode writeSessionLimits(ObjectNode node, SessionLimits limits) {
        ArrayNode rules = node.putArray("rules");
        limits.rules().forEach(rule -> write(rules.addObject().put("session_prefix", rule.sessionPrefix()), rule.limits()));
        return node;
    }

    private static OptionalLong number(ObjectNode body, String field, String where) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw ChowderException.validationFailed(where + field + " must be a whole number or null.");
        }
        return OptionalLong.of(value.asLong());
    }

    private static void unknownFields(ObjectNode body, Set<String> known, String where) {
        body.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw ChowderException.validationFailed(where + name + " is not a limit; the fields are " + known.stream().sorted().toList() + ".");
            }
        });
    }

    private static void put(ObjectNode node, String field, OptionalLong value) {
        if (value.isPresent()) {
            node.put(field, value.getAsLong());
        } else {
            node.putNull(field);
        }
    }
}
