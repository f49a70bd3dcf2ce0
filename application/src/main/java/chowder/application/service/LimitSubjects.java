package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LimitSettingsPort.Versioned;
import chowder.application.service.LimitSubject.Kind;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionId;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Which limits apply, from the stored settings: a turn's session, key and organization, or an organization alone. */
final class LimitSubjects {
    private final LimitSettingsPort settings;

    LimitSubjects(LimitSettingsPort settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** The limited subjects of a turn, narrowest first: the session's rule, the key's limits, the organization's plan. */
    List<LimitSubject> turn(Caller caller, InstanceId instance, SessionId session) {
        // Most turns have no limit at all: the list allocates no array until a subject is added (this runs on every turn).
        List<LimitSubject> subjects = new ArrayList<>();
        Versioned<SessionLimits> rules = settings.sessionLimitsOf(instance);
        rules.value().forSession(session).ifPresent(rule -> subjects.add(sessionSubject(instance, session, rule, rules.version())));
        if (!caller.isOperator()) {
            Versioned<UsageLimits> key = settings.limitsOfKey(caller.keyId());
            if (!key.value().isEmpty()) {
                subjects.add(new LimitSubject(Kind.KEY, "key:" + caller.keyId(), "this key's", key.value(), key.version()));
            }
        }
        Versioned<OrganizationPlan> plan = settings.planOf(caller.organizationId());
        if (!plan.value().limits().isEmpty()) {
            subjects.add(organization(caller.organizationId(), plan));
        }
        return subjects;
    }

    LimitSubject organization(OrganizationId organization) {
        return organization(organization, settings.planOf(organization));
    }

    private static LimitSubject organization(OrganizationId organization, Versioned<OrganizationPlan> plan) {
        return new LimitSubject(Kind.ORGANIZATION, "org:" + organization, "this organization's", plan.value().limits(), plan.version());
    }

    private static LimitSubject sessionSubject(InstanceId instance, SessionId session, SessionLimitRule rule, long version) {
        String label = "the session limit" + (rule.sessionPrefix().isEmpty() ? "'s" : " for prefix '" + rule.sessionPrefix() + "'");
        return new LimitSubject(Kind.SESSION, "session:" + instance + ":" + digest(session.value()), label, rule.limits(), version);
    }

    // Session ids are up to 256 code points of anything: the counter's name holds a digest of the id, not the id.
    private static String digest(String value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
