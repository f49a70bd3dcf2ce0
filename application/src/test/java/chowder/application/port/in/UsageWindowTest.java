package chowder.application.port.in;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageWindowTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void withoutEndsItIsTheLastThirtyDaysUpToNow() {
        assertThat(UsageWindow.requested(Optional.empty(), Optional.empty(), CLOCK))
                .isEqualTo(new UsageWindow(Instant.parse("2026-10-27T10:00:00Z"), NOW));
    }

    @Test
    void aGivenEndMovesTheDefaultStartWithIt() {
        Instant to = Instant.parse("2026-06-01T00:00:00Z");
        assertThat(UsageWindow.requested(Optional.empty(), Optional.of(to), CLOCK))
                .isEqualTo(new UsageWindow(Instant.parse("2026-05-02T00:00:00Z"), to));
    }

    @Test
    void aGivenStartEndsNowAndBothGivenAreKeptAsTheyAre() {
        Instant from = Instant.parse("2026-11-01T00:00:00Z");
        Instant to = Instant.parse("2026-11-02T00:00:00Z");
        assertThat(UsageWindow.requested(Optional.of(from), Optional.empty(), CLOCK)).isEqualTo(new UsageWindow(from, NOW));
        assertThat(UsageWindow.requested(Optional.of(from), Optional.of(to), CLOCK)).isEqualTo(new UsageWindow(from, to));
        // Not checked here: a start after the end is refused by requireNotEmpty, once the caller may read the report.
        assertThat(UsageWindow.requested(Optional.of(to), Optional.of(from), CLOCK)).isEqualTo(new UsageWindow(to, from));
    }

    @Test
    void aWindowThatDoesNotEndAfterItStartsIsAnInvalidRequest() {
        UsageWindow hour = new UsageWindow(NOW, NOW.plusSeconds(3600));
        assertThat(hour.requireNotEmpty()).isSameAs(hour);
        for (UsageWindow empty : new UsageWindow[] {new UsageWindow(NOW, NOW), new UsageWindow(NOW.plusSeconds(1), NOW)}) {
            assertThatThrownBy(empty::requireNotEmpty).as(empty.toString()).isInstanceOfSatisfying(ChowderException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                assertThat(e.getMessage()).isEqualTo("from must be before to.");
            });
        }
    }

    @Test
    void daysAreTheUtcCalendarDaysTouchedCutToTheWindow() {
        UsageWindow window = new UsageWindow(Instant.parse("2026-11-01T10:00:00Z"), Instant.parse("2026-11-03T06:00:00Z"));
        assertThat(window.dayCount()).isEqualTo(3);
        assertThat(window.days()).containsExactly(
                new UsageWindow(Instant.parse("2026-11-01T10:00:00Z"), Instant.parse("2026-11-02T00:00:00Z")),
                new UsageWindow(Instant.parse("2026-11-02T00:00:00Z"), Instant.parse("2026-11-03T00:00:00Z")),
                new UsageWindow(Instant.parse("2026-11-03T00:00:00Z"), Instant.parse("2026-11-03T06:00:00Z")));
    }

    @Test
    void aWindowOfWholeDaysHasOneDayPerDateAndAnEmptyWindowHasNone() {
        UsageWindow fortnight = new UsageWindow(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-15T00:00:00Z"));
        assertThat(fortnight.dayCount()).isEqualTo(14);
        assertThat(fortnight.days()).hasSize(14).allSatisfy(day -> assertThat(day.to()).isEqualTo(day.from().plusSeconds(86_400)));
        Instant instant = Instant.parse("2026-11-01T00:00:00Z");
        assertThat(new UsageWindow(instant, instant).dayCount()).isZero();
        assertThat(new UsageWindow(instant, instant).days()).isEmpty();
        assertThat(new UsageWindow(Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z")).dayCount())
                .as("counted, not listed").isEqualTo(9497);
    }
}
