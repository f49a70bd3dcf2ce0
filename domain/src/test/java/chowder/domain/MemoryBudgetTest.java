package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    private final OrganizationId acme = OrganizationId.random();
    private final OrganizationId globex = OrganizationId.random();

    @Test
    void anOrganizationHoldsAtMostItsShareAndAllTogetherAtMostTheMax() {
        MemoryBudget budget = new MemoryBudget(1000, 400, "busy", 5);
        MemoryBudget.Hold a = budget.open(acme);
        a.grow(400);
        assertThatThrownBy(() -> a.grow(1)).isInstanceOfSatisfying(OverloadedException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(e.getMessage()).isEqualTo("busy");
            assertThat(e.retryAfterSeconds()).isEqualTo(5);
        });
        // A refused grow holds nothing more, for the organization or in all.
        assertThat(budget.total()).isEqualTo(400);
        budget.open(acme).close();

        MemoryBudget.Hold g = budget.open(globex);
        g.grow(400);
        MemoryBudget.Hold third = budget.open(OrganizationId.random());
        third.grow(200);
        assertThatThrownBy(() -> third.grow(1)).isInstanceOf(OverloadedException.class);
        assertThat(budget.total()).isEqualTo(1000);

        a.close();
        third.grow(1);
        assertThat(budget.total()).isEqualTo(601);
    }

    @Test
    void closingGivesEverythingBackOnceAndAHoldClosedCountsNothingMore() {
        MemoryBudget budget = new MemoryBudget(1000, "busy", 1);
        MemoryBudget.Hold hold = budget.open(acme);
        hold.grow(300);
        hold.shrink(100);
        hold.shrink(1000);
        assertThat(budget.total()).isZero();
        hold.grow(300);
        hold.close();
        hold.close();
        hold.grow(50);
        assertThat(budget.total()).isZero();
        // The share is whole again: half of the max, by default.
        budget.open(acme).grow(500);
        assertThat(budget.total()).isEqualTo(500);
    }

    @Test
    void racingHoldsNeverCountMoreThanTheBoundsAndLeaveNothingBehind() throws Exception {
        MemoryBudget budget = new MemoryBudget(10_000, 6_000, "busy", 1);
        AtomicLong highest = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            OrganizationId organization = t % 2 == 0 ? acme : globex;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    try (MemoryBudget.Hold hold = budget.open(organization)) {
                        hold.grow(1_000);
                        highest.accumulateAndGet(budget.total(), Math::max);
                        hold.grow(500);
                    } catch (OverloadedException refused) {
                        // Its hold gives back what it had taken, as the try closes it.
                    }
                }
            }));
        }
        // A watcher reads the total all along: a count raised past a bound and then taken back is seen too.
        AtomicBoolean done = new AtomicBoolean();
        Thread watcher = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                highest.accumulateAndGet(budget.total(), Math::max);
            }
        });
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        done.set(true);
        watcher.join();
        assertThat(highest.get()).isBetween(1_000L, 10_000L);
        assertThat(budget.total()).isZero();
        // Nothing is left counted for either organization: each may hold its whole share again.
        budget.open(acme).grow(6_000);
        assertThatThrownBy(() -> budget.open(globex).grow(4_001)).isInstanceOf(OverloadedException.class);
        budget.open(globex).grow(4_000);
    }
}
