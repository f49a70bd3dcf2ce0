package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LimitCounterPort;
import chowder.application.port.out.LimitCounterPort.TokenWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The contract of the limit counters: allowances per minute and token budgets per UTC window, shared by every node. */
public abstract class LimitCounterContract extends StoreContract {
    @Test
    void countersAreSharedByEveryNodeOfTheDatabase() {
        LimitCounterPort one = port(LimitCounterPort.class);
        LimitCounterPort two = otherNode(LimitCounterPort.class);
        assertThat(one.takeRequest("org:a", 3, 1)).isEmpty();
        assertThat(two.takeRequest("org:a", 3, 1)).isEmpty();
        assertThat(one.takeRequest("org:a", 3, 1)).isEmpty();
        assertThat(two.takeRequest("org:a", 3, 1)).hasValueSatisfying(wait ->
                assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20)));
        one.returnRequest("org:a", 3, 1);
        assertThat(two.takeRequest("org:a", 3, 1)).isEmpty();
        assertThat(one.takeRequest("org:b", 3, 1)).isEmpty();

        assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();
        one.spendTokens("key:k", TokenWindow.DAY, 90, LIMITS_NOW);
        assertThat(two.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();
        two.spendTokens("key:k", TokenWindow.DAY, 20, LIMITS_NOW);
        // 110 of 100: spent until midnight UTC, two hours away.
        assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW)).hasValue(Duration.ofHours(2));
        // The next day is a new window; the month holds both days.
        assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 100, LIMITS_NOW.plus(Duration.ofHours(3)))).isEmpty();
        one.spendTokens("key:k", TokenWindow.MONTH, 110, LIMITS_NOW);
        two.spendTokens("key:k", TokenWindow.MONTH, 50, LIMITS_NOW.plus(Duration.ofHours(3)));
        assertThat(one.tokensSpent("key:k", TokenWindow.MONTH, 150, LIMITS_NOW.plus(Duration.ofHours(3))))
                .hasValue(Duration.between(LIMITS_NOW.plus(Duration.ofHours(3)), Instant.parse("2027-01-01T00:00:00Z")));

        // A raised budget counts what was already spent; so does a lowered one.
        assertThat(two.tokensSpent("key:k", TokenWindow.DAY, 200, LIMITS_NOW)).isEmpty();
        two.spendTokens("key:k", TokenWindow.DAY, 90, LIMITS_NOW);
        assertThat(one.tokensSpent("key:k", TokenWindow.DAY, 200, LIMITS_NOW)).isPresent();
        assertThat(one.tokensSpent("key:j", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();
        one.spendTokens("key:j", TokenWindow.DAY, 40, LIMITS_NOW);
        assertThat(two.tokensSpent("key:j", TokenWindow.DAY, 40, LIMITS_NOW)).isPresent();
        assertThat(two.tokensSpent("key:j", TokenWindow.DAY, 100, LIMITS_NOW)).isEmpty();

        // A raised rate (a newer version of its setting) reaches an allowance that runs, keeping what was taken.
        assertThat(one.takeRequest("key:r", 2, 1)).isEmpty();
        assertThat(one.takeRequest("key:r", 2, 1)).isEmpty();
        assertThat(two.takeRequest("key:r", 2, 1)).isPresent();
        assertThat(two.takeRequest("key:r", 4, 2)).isEmpty();
        assertThat(one.takeRequest("key:r", 4, 2)).isEmpty();
        assertThat(one.takeRequest("key:r", 4, 2)).isPresent();
    }

    @Test
    void aReservationCountsAsSpentUntilItIsSettledInTheWindowItWasMadeIn() {
        LimitCounterPort one = port(LimitCounterPort.class);
        LimitCounterPort two = otherNode(LimitCounterPort.class);
        assertThat(one.reserveTokens("org:r", TokenWindow.DAY, 100, 60, LIMITS_NOW)).isEmpty();
        // Reservations of calls still running count, on every node: 60 of 100 is not spent, 120 is.
        assertThat(two.reserveTokens("org:r", TokenWindow.DAY, 100, 60, LIMITS_NOW)).isEmpty();
        assertThat(one.reserveTokens("org:r", TokenWindow.DAY, 100, 60, LIMITS_NOW)).hasValue(Duration.ofHours(2));
        // A call that used less gives the rest back; one that used more is charged the difference.
        two.settleTokens("org:r", TokenWindow.DAY, 60, 10, LIMITS_NOW);
        assertThat(one.tokensSpent("org:r", TokenWindow.DAY, 71, LIMITS_NOW)).isEmpty();
        assertThat(one.tokensSpent("org:r", TokenWindow.DAY, 70, LIMITS_NOW)).isPresent();
        one.settleTokens("org:r", TokenWindow.DAY, 60, 200, LIMITS_NOW);
        assertThat(two.tokensSpent("org:r", TokenWindow.DAY, 210, LIMITS_NOW)).isPresent();
        assertThat(two.tokensSpent("org:r", TokenWindow.DAY, 211, LIMITS_NOW)).isEmpty();

        // Settled after midnight, a call made before it is settled in the day it was made in.
        Instant afterMidnight = LIMITS_NOW.plus(Duration.ofHours(3));
        assertThat(one.reserveTokens("org:m", TokenWindow.DAY, 1_000, 500, LIMITS_NOW)).isEmpty();
        one.settleTokens("org:m", TokenWindow.DAY, 500, 0, LIMITS_NOW);
        assertThat(one.tokensSpent("org:m", TokenWindow.DAY, 1, LIMITS_NOW)).isEmpty();
        assertThat(one.reserveTokens("org:m", TokenWindow.DAY, 1_000, 500, LIMITS_NOW)).isEmpty();
        one.settleTokens("org:m", TokenWindow.DAY, 500, 900, LIMITS_NOW);
        assertThat(one.tokensSpent("org:m", TokenWindow.DAY, 900, LIMITS_NOW)).isPresent();
        assertThat(one.tokensSpent("org:m", TokenWindow.DAY, 1, afterMidnight)).isEmpty();
        // What is given back never takes a counter below nothing spent.
        one.settleTokens("org:n", TokenWindow.MONTH, 1_000, 0, LIMITS_NOW);
        one.spendTokens("org:n", TokenWindow.MONTH, 1, LIMITS_NOW);
        assertThat(one.tokensSpent("org:n", TokenWindow.MONTH, 1, LIMITS_NOW)).isPresent();
    }

    @Test
    void reservationsMadeAtOnceOnOneNodeNeverPassTheBudgetTogether() throws Exception {
        LimitCounterPort counters = port(LimitCounterPort.class);
        int callers = 16;
        CyclicBarrier start = new CyclicBarrier(callers);
        List<Future<Boolean>> reserved = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                reserved.add(executor.submit(() -> {
                    start.await();
                    return counters.reserveTokens("org:c", TokenWindow.DAY, 100, 30, LIMITS_NOW).isEmpty();
                }));
            }
            long passed = 0;
            for (var result : reserved) {
                passed += result.get() ? 1 : 0;
            }
            // 0, 30, 60 and 90 spent are under 100; 120 is not: four, whatever the order.
            assertThat(passed).isEqualTo(4);
        }
        assertThat(counters.tokensSpent("org:c", TokenWindow.DAY, 120, LIMITS_NOW)).isPresent();
        assertThat(counters.tokensSpent("org:c", TokenWindow.DAY, 121, LIMITS_NOW)).isEmpty();
    }
}
