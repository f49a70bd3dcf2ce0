package chowder.application.service;

import chowder.application.port.out.LimitCounterPort.TokenWindow;
import chowder.domain.LimitExceededException;
import java.time.Duration;

/** What a refused request is told: which limit of whose is used up, and when it frees up. */
final class LimitRefusals {
    private LimitRefusals() {}

    static LimitExceededException budgetSpent(LimitSubject subject, TokenWindow window, long budget, Duration wait) {
        String name = window == TokenWindow.DAY ? "tokens_per_day" : "tokens_per_month";
        // "daily"/"monthly" also tell an agent's client (OpenClaw) that this is no short rate limit worth a retry.
        return new LimitExceededException("Budget exceeded: " + subject.label() + " " + name + " (" + budget
                + " tokens) is spent; the " + (window == TokenWindow.DAY ? "daily" : "monthly") + " budget renews in "
                + seconds(wait) + " (at the start of the next UTC " + (window == TokenWindow.DAY ? "day" : "month") + ").", wait, true);
    }

    /** {@code usedUpBy} says what used the rate up when it is not the subject's own requests (" by its model calls"), else "". */
    static LimitExceededException rateUsedUp(LimitSubject subject, long perMinute, String usedUpBy, Duration wait) {
        return new LimitExceededException("Rate limit exceeded: " + subject.label() + " requests_per_minute ("
                + perMinute + ") is used up" + usedUpBy + "; retry in " + seconds(wait) + ".", wait, false);
    }

    private static String seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000) + " s";
    }
}
