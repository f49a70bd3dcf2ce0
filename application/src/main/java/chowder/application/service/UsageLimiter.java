package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LimitCounterPort;
import chowder.application.port.out.LimitCounterPort.TokenWindow;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LimitSettingsPort.Versioned;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.LimitExceededException;
import chowder.domain.OrganizationId;
import chowder.domain.OrganizationPlan;
import chowder.domain.SessionId;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.UsageLimits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Budgets (tokens per UTC day and month) and request rates of organizations, keys and sessions, checked before a
 * request is forwarded and charged after it, on counters every node shares ({@link LimitCounterPort}). What is
 * unlimited costs nothing: no counter is touched for a subject without limits.
 *
 * <p>Accuracy: a budget is checked before a request and charged with what the answer used, so the request that spends
 * the last tokens runs to its end (an answer already streaming is never cut) and the next one is refused. Requests
 * checked at once on several nodes may each pass before any is charged.
 */
public final class UsageLimiter {
    private final LimitSettingsPort settings;
    private final LimitCounterPort counters;
    private final Clock clock;

    public UsageLimiter(LimitSettingsPort settings, LimitCounterPort counters, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.counters = requireNonNull(counters, "counters is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A limiter for a Chowder without stored limits: every subject is unlimited, so no counter is ever asked. */
    public static UsageLimiter unlimited(Clock clock) {
        return new UsageLimiter(LimitSettingsPort.DEFAULTS, new LimitCounterPort() {
            @Override
            public Optional<Duration> takeRequest(String subject, long perMinute, long version) {
                throw unexpected();
            }

            @Override
            public void returnRequest(String subject, long perMinute, long version) {
                throw unexpected();
            }

            @Override
            public Optional<Duration> tokensSpent(String subject, TokenWindow window, long budget, Instant now) {
                throw unexpected();
            }

            @Override
            public void spendTokens(String subject, TokenWindow window, long tokens, Instant now) {
                throw unexpected();
            }

            @Override
            public int removeExpired() {
                return 0;
            }

            private IllegalStateException unexpected() {
                return new IllegalStateException("no limit is set, so no counter is used");
            }
        }, clock);
    }

    /** Before a turn on the responses routes: the session's, the key's and the organization's limits. */
    void admitTurn(Caller caller, InstanceId instance, SessionId session) {
        admit(subjectsOfTurn(caller, instance, session));
    }

    /**
     * After a turn: its tokens go to the key's and the session's budgets, and to the organization's when Chowder does not
     * see the instance's model calls (a registered gateway calls its provider itself).
     */
    void chargeTurn(Caller caller, InstanceId instance, SessionId session, long tokens, boolean modelCallsSeen) {
        if (tokens <= 0) {
            return;
        }
        List<Subject> subjects = new ArrayList<>(subjectsOfTurn(caller, instance, session));
        if (modelCallsSeen) {
            subjects.removeIf(subject -> subject.kind() == Kind.ORGANIZATION);
        }
        charge(subjects, tokens);
    }

    /** Before a model call of a provisioned gateway: its organization's token budgets. */
    void admitModelCall(OrganizationId organization) {
        Subject subject = organizationSubject(organization);
        if (subject.limits().limitsTokens()) {
            checkTokens(List.of(subject), clock.instant());
        }
    }

    void chargeModelCall(OrganizationId organization, long tokens) {
        if (tokens > 0) {
            charge(List.of(organizationSubject(organization)), tokens);
        }
    }

    private List<Subject> subjectsOfTurn(Caller caller, InstanceId instance, SessionId session) {
        List<Subject> subjects = new ArrayList<>(3);
        Versioned<SessionLimits> rules = settings.sessionLimitsOf(instance);
        rules.value().forSession(session).ifPresent(rule -> subjects.add(sessionSubject(instance, session, rule, rules.version())));
        if (!caller.isOperator()) {
            Versioned<UsageLimits> key = settings.limitsOfKey(caller.keyId());
            if (!key.value().isEmpty()) {
                subjects.add(new Subject(Kind.KEY, "key:" + caller.keyId(), "this key's", key.value(), key.version()));
            }
        }
        Subject organization = organizationSubject(caller.organizationId());
        if (!organization.limits().isEmpty()) {
            subjects.add(organization);
        }
        return subjects;
    }

    private Subject organizationSubject(OrganizationId organization) {
        Versioned<OrganizationPlan> plan = settings.planOf(organization);
        return new Subject(Kind.ORGANIZATION, "org:" + organization, "this organization's", plan.value().limits(), plan.version());
    }

    private static Subject sessionSubject(InstanceId instance, SessionId session, SessionLimitRule rule, long version) {
        String label = "the session limit" + (rule.sessionPrefix().isEmpty() ? "'s" : " for prefix '" + rule.sessionPrefix() + "'");
        return new Subject(Kind.SESSION, "session:" + instance + ":" + digest(session.value()), label, rule.limits(), version);
    }

    /** Token budgets first (they only read), then request rates, narrowest first; a refusal gives back what was taken. */
    private void admit(List<Subject> subjects) {
        if (subjects.isEmpty()) {
            return;
        }
        checkTokens(subjects, clock.instant());
        List<Subject> taken = new ArrayList<>();
        for (Subject subject : subjects) {
            OptionalLong perMinute = subject.limits().requestsPerMinute();
            if (perMinute.isEmpty()) {
                continue;
            }
            Optional<Duration> wait = counters.takeRequest(subject.id(), perMinute.getAsLong(), subject.version());
            if (wait.isPresent()) {
                taken.forEach(earlier -> counters.returnRequest(earlier.id(), earlier.limits().requestsPerMinute().getAsLong(),
                        earlier.version()));
                throw new LimitExceededException("Rate limit exceeded: " + subject.label() + " requests_per_minute ("
                        + perMinute.getAsLong() + ") is used up; retry in " + seconds(wait.get()) + ".", wait.get(), false);
            }
            taken.add(subject);
        }
    }

    private void checkTokens(List<Subject> subjects, Instant now) {
        for (Subject subject : subjects) {
            check(subject, TokenWindow.DAY, subject.limits().tokensPerDay(), "tokens_per_day", now);
            check(subject, TokenWindow.MONTH, subject.limits().tokensPerMonth(), "tokens_per_month", now);
        }
    }

    private void check(Subject subject, TokenWindow window, OptionalLong budget, String name, Instant now) {
        if (budget.isEmpty()) {
            return;
        }
        Optional<Duration> wait = counters.tokensSpent(subject.id(), window, budget.getAsLong(), now);
        if (wait.isPresent()) {
            // "daily"/"monthly" also tell an agent's client (OpenClaw) that this is no short rate limit worth a retry.
            throw new LimitExceededException("Budget exceeded: " + subject.label() + " " + name + " (" + budget.getAsLong()
                    + " tokens) is spent; the " + (window == TokenWindow.DAY ? "daily" : "monthly") + " budget renews in "
                    + seconds(wait.get()) + " (at the start of the next UTC " + (window == TokenWindow.DAY ? "day" : "month") + ").",
                    wait.get(), true);
        }
    }

    private void charge(List<Subject> subjects, long tokens) {
        Instant now = clock.instant();
        for (Subject subject : subjects) {
            if (subject.limits().tokensPerDay().isPresent()) {
                counters.spendTokens(subject.id(), TokenWindow.DAY, tokens, now);
            }
            if (subject.limits().tokensPerMonth().isPresent()) {
                counters.spendTokens(subject.id(), TokenWindow.MONTH, tokens, now);
            }
        }
    }

    private static String seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000) + " s";
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

    private enum Kind {
        SESSION,
        KEY,
        ORGANIZATION
    }

    private record Subject(Kind kind, String id, String label, UsageLimits limits, long version) {}
}
