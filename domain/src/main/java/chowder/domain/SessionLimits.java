package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The session limit rules of one instance; a session follows the rule with the longest prefix it starts with. */
public record SessionLimits(List<SessionLimitRule> rules) {
    public static final int MAX_RULES = 100;
    public static final SessionLimits NONE = new SessionLimits(List.of());

    public SessionLimits {
        rules = List.copyOf(requireNonNull(rules, "rules is null"));
        if (rules.size() > MAX_RULES) {
            throw ChowderException.validationFailed("an instance has at most " + MAX_RULES + " session limit rules.");
        }
        Set<String> prefixes = new HashSet<>();
        for (SessionLimitRule rule : rules) {
            if (!prefixes.add(rule.sessionPrefix())) {
                throw ChowderException.validationFailed("session_prefix '" + rule.sessionPrefix() + "' appears twice.");
            }
        }
    }

    public Optional<SessionLimitRule> forSession(SessionId session) {
        return rules.stream().filter(rule -> rule.matches(session))
                .max(Comparator.comparingInt(rule -> rule.sessionPrefix().length()));
    }
}
