package chowder.domain;

import static java.util.Objects.requireNonNull;

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

    /** The rule with the longest prefix the session's id starts with (a loop: asked on every turn). */
    public Optional<SessionLimitRule> forSession(SessionId session) {
        SessionLimitRule longest = null;
        for (SessionLimitRule rule : rules) {
            if (rule.matches(session) && (longest == null || rule.sessionPrefix().length() > longest.sessionPrefix().length())) {
                longest = rule;
            }
        }
        return Optional.ofNullable(longest);
    }
}
