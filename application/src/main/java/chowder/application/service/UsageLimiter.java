package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.LimitCounterPort;
import chowder.application.port.out.LimitCounterPort.TokenWindow;
import chowder.application.port.out.LimitSettingsPort;
import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.LimitExceededException;
import chowder.domain.OrganizationId;
import chowder.domain.SessionId;
import chowder.domain.UsageLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Budgets (tokens per UTC day and month) and request rates of organizations, keys and sessions, checked before a
 * request is forwarded and charged after it, on counters every node shares ({@link LimitCounterPort}). What is
 * unlimited costs nothing: no counter is touched for a subject without limits.
 *
 * <p>Accuracy: a budget is checked before a request and charged with what the answer used, so the request that spends
 * the last tokens runs to its end (an answer already streaming is never cut) and the next one is refused. Turns checked
 * at once on several nodes may each pass before any is charged. A model call reserves an estimate of its tokens when
 * admitted, so calls running at once count against the budget before they end; only calls admitted at the same moment
 * on two nodes can pass together.
 */
public final class UsageLimiter {
    /** The counter of an organization's model calls, beside its turns' ({@code org:<id>} + this). */
    private static final String MODEL_CALLS = ":model-calls";
    private final LimitSubjects subjectsOf;
    private final LimitCounterPort counters;
    private final Clock clock;

    public UsageLimiter(LimitSettingsPort settings, LimitCounterPort counters, Clock clock) {
        this.subjectsOf = new LimitSubjects(settings);
        this.counters = requireNonNull(counters, "counters is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A limiter for a Chowder without stored limits: every subject is unlimited, so no counter is ever asked. */
    public static UsageLimiter unlimited(Clock clock) {
        return new UsageLimiter(LimitSettingsPort.DEFAULTS, new NoLimitCounters(), clock);
    }

    /** The limits a turn is under now: the session's, the key's and the organization's. */
    List<LimitSubject> limitsOfTurn(Caller caller, InstanceId instance, SessionId session) {
        return subjectsOf.turn(caller, instance, session);
    }

    /** Before a turn on the responses routes: the session's, the key's and the organization's limits, which it returns. */
    List<LimitSubject> admitTurn(Caller caller, InstanceId instance, SessionId session) {
        List<LimitSubject> subjects = limitsOfTurn(caller, instance, session);
        admit(subjects);
        return subjects;
    }

    /**
     * After a turn: its tokens go to the key's and the session's budgets, and to the organization's when Chowder does not
     * see the instance's model calls (a registered gateway calls its provider itself).
     */
    void chargeTurn(List<LimitSubject> admittedUnder, long tokens, boolean modelCallsSeen) {
        if (tokens > 0) {
            charge(charged(admittedUnder, modelCallsSeen), tokens);
        }
    }

    /** Whether charging {@code tokens} to these subjects writes a counter (a store every node shares), or nothing at all. */
    static boolean chargeWritesCounters(List<LimitSubject> admittedUnder, long tokens, boolean modelCallsSeen) {
        if (tokens <= 0) {
            return false;
        }
        // A loop over the list as it is (no copy): this is asked of every answered turn.
        for (LimitSubject subject : admittedUnder) {
            if (isCharged(subject, modelCallsSeen)
                    && (subject.limits().tokensPerDay().isPresent() || subject.limits().tokensPerMonth().isPresent())) {
                return true;
            }
        }
        return false;
    }

    /** Who a turn's tokens go to: every subject, less the organization when Chowder's model endpoint charged it already. */
    private static List<LimitSubject> charged(List<LimitSubject> admittedUnder, boolean modelCallsSeen) {
        if (!modelCallsSeen) {
            return admittedUnder;
        }
        List<LimitSubject> subjects = new ArrayList<>(admittedUnder);
        subjects.removeIf(subject -> !isCharged(subject, modelCallsSeen));
        return subjects;
    }

    private static boolean isCharged(LimitSubject subject, boolean modelCallsSeen) {
        return !(modelCallsSeen && subject.kind() == LimitSubject.Kind.ORGANIZATION);
    }

    /**
     * Before a model call of a provisioned gateway: reserves {@code estimatedTokens} in each of its organization's token
     * budgets (refused when one is spent, reservations of calls still running included), then takes the call from the
     * organization's requests_per_minute for model calls. A refusal gives back what was taken.
     */
    ModelCallReservation admitModelCall(OrganizationId organization, long estimatedTokens) {
        LimitSubject subject = subjectsOf.organization(organization);
        long estimate = Math.clamp(estimatedTokens, 0, UsageLimits.MAX_VALUE);
        Instant now = clock.instant();
        List<Reserved> reserved = new ArrayList<>(2);
        try {
            reserve(subject, TokenWindow.DAY, subject.limits().tokensPerDay(), estimate, now).ifPresent(reserved::add);
            reserve(subject, TokenWindow.MONTH, subject.limits().tokensPerMonth(), estimate, now).ifPresent(reserved::add);
            takeModelCall(subject);
        } catch (LimitExceededException e) {
            reserved.forEach(earlier -> counters.settleTokens(subject.id(), earlier.window(), earlier.tokens(), 0, earlier.at()));
            throw e;
        }
        return new ModelCallReservation(organization, List.copyOf(reserved));
    }

    /**
     * After a model call: its tokens replace its reservations (the difference is charged or given back, in the window each
     * was made in), and go to a budget set since it was admitted.
     */
    void settleModelCall(ModelCallReservation reservation, long tokens) {
        LimitSubject subject = subjectsOf.organization(reservation.organization());
        long actual = Math.clamp(tokens, 0, UsageLimits.MAX_VALUE);
        Instant now = clock.instant();
        for (Reserved reserved : reservation.windows()) {
            counters.settleTokens(subject.id(), reserved.window(), reserved.tokens(), actual, reserved.at());
        }
        if (actual > 0) {
            if (subject.limits().tokensPerDay().isPresent() && !reservation.reserved(TokenWindow.DAY)) {
                counters.spendTokens(subject.id(), TokenWindow.DAY, actual, now);
            }
            if (subject.limits().tokensPerMonth().isPresent() && !reservation.reserved(TokenWindow.MONTH)) {
                counters.spendTokens(subject.id(), TokenWindow.MONTH, actual, now);
            }
        }
    }

    private Optional<Reserved> reserve(LimitSubject subject, TokenWindow window, OptionalLong budget, long tokens, Instant now) {
        if (budget.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> wait = counters.reserveTokens(subject.id(), window, budget.getAsLong(), tokens, now);
        if (wait.isPresent()) {
            throw LimitRefusals.budgetSpent(subject, window, budget.getAsLong(), wait.get());
        }
        return Optional.of(new Reserved(window, tokens, now));
    }

    /**
     * Model calls have an allowance of their own, apart from the organization's turns: one turn makes several model
     * calls (a tool loop), which must not use up the turns' allowance, nor the turns theirs.
     */
    private void takeModelCall(LimitSubject organization) {
        OptionalLong perMinute = organization.limits().requestsPerMinute();
        if (perMinute.isEmpty()) {
            return;
        }
        Optional<Duration> wait = counters.takeRequest(organization.id() + MODEL_CALLS, perMinute.getAsLong(), organization.version());
        if (wait.isPresent()) {
            throw LimitRefusals.rateUsedUp(organization, perMinute.getAsLong(), " by its model calls", wait.get());
        }
    }

    /** Token budgets first (they only read), then request rates, narrowest first; a refusal gives back what was taken. */
    private void admit(List<LimitSubject> subjects) {
        if (subjects.isEmpty()) {
            return;
        }
        checkTokens(subjects, clock.instant());
        List<LimitSubject> taken = new ArrayList<>();
        for (LimitSubject subject : subjects) {
            OptionalLong perMinute = subject.limits().requestsPerMinute();
            if (perMinute.isEmpty()) {
                continue;
            }
            Optional<Duration> wait = counters.takeRequest(subject.id(), perMinute.getAsLong(), subject.version());
            if (wait.isPresent()) {
                taken.forEach(earlier -> counters.returnRequest(earlier.id(), earlier.limits().requestsPerMinute().getAsLong(),
                        earlier.version()));
                throw LimitRefusals.rateUsedUp(subject, perMinute.getAsLong(), "", wait.get());
            }
            taken.add(subject);
        }
    }

    private void checkTokens(List<LimitSubject> subjects, Instant now) {
        for (LimitSubject subject : subjects) {
            check(subject, TokenWindow.DAY, subject.limits().tokensPerDay(), now);
            check(subject, TokenWindow.MONTH, subject.limits().tokensPerMonth(), now);
        }
    }

    private void check(LimitSubject subject, TokenWindow window, OptionalLong budget, Instant now) {
        if (budget.isEmpty()) {
            return;
        }
        Optional<Duration> wait = counters.tokensSpent(subject.id(), window, budget.getAsLong(), now);
        if (wait.isPresent()) {
            throw LimitRefusals.budgetSpent(subject, window, budget.getAsLong(), wait.get());
        }
    }

    private void charge(List<LimitSubject> subjects, long tokens) {
        Instant now = clock.instant();
        for (LimitSubject subject : subjects) {
            if (subject.limits().tokensPerDay().isPresent()) {
                counters.spendTokens(subject.id(), TokenWindow.DAY, tokens, now);
            }
            if (subject.limits().tokensPerMonth().isPresent()) {
                counters.spendTokens(subject.id(), TokenWindow.MONTH, tokens, now);
            }
        }
    }

    /** Tokens reserved in one window of a budget, and when (the window a settlement goes to). */
    record Reserved(TokenWindow window, long tokens, Instant at) {}

    /** What a model call holds until it ends: the tokens reserved for it in its organization's budgets. */
    record ModelCallReservation(OrganizationId organization, List<Reserved> windows) {
        boolean reserved(TokenWindow window) {
            return windows.stream().anyMatch(reserved -> reserved.window() == window);
        }
    }
}
