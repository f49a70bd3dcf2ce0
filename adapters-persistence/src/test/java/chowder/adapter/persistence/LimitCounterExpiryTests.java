package chowder.adapter.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LimitCounterPort;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Counters in the database expire: an idle subject's row is kept a day, and the hourly purge removes rows past it. */
abstract class LimitCounterExpiryTests extends DatabaseTest {
    @Test
    void anIdleSubjectsRateCounterExpiresADayAfterItsLastRequest() {
        LimitCounterPort counters = injector.getInstance(LimitCounterPort.class);
        long before = System.currentTimeMillis();
        counters.takeRequest("session:idle", 60, 1);
        counters.takeRequest("session:idle", 60, 1);
        long expiresAt = jdbi().withHandle(handle -> handle.createQuery(
                "SELECT expires_at FROM limit_counters WHERE id = 'rpm:session:idle'").mapTo(Long.class).one());

        // Refilled to full within the minute, then kept a day: the hourly purge then removes it.
        assertThat(expiresAt).isBetween(before + Duration.ofDays(1).toMillis(),
                System.currentTimeMillis() + Duration.ofDays(1).plusMinutes(2).toMillis());
    }

    @Test
    void countersPastTheirExpiryAreRemovedAndOthersKept() {
        LimitCounterPort counters = injector.getInstance(LimitCounterPort.class);
        counters.takeRequest("org:kept", 10, 1);
        Jdbi jdbi = jdbi();
        jdbi.useHandle(handle -> handle.execute("INSERT INTO limit_counters (id, state, expires_at) VALUES ('rpm:org:gone', NULL, 1)"));

        assertThat(counters.removeExpired()).isEqualTo(1);
        List<String> left = jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM limit_counters").mapTo(String.class).list());
        assertThat(left).containsExactly("rpm:org:kept");
    }
}
