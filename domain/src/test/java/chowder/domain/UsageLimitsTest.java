package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class UsageLimitsTest {
    @Test
    void aRateBeyondABillionAMinuteIsRefusedBecauseTheCountersCannotRefillThatFast() {
        assertThat(new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(UsageLimits.MAX_REQUESTS_PER_MINUTE))
                .requestsPerMinute()).hasValue(1_000_000_000L);

        assertThatThrownBy(() -> new UsageLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(60_000_000_001L)))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).isEqualTo("requests_per_minute must be a whole number from 1 to 1000000000 (or null for no limit).");
                });
        // Budgets keep their own, larger bound.
        assertThat(new UsageLimits(OptionalLong.of(UsageLimits.MAX_VALUE), OptionalLong.empty(), OptionalLong.empty()).tokensPerDay())
                .hasValue(UsageLimits.MAX_VALUE);
    }

    @Test
    void reportedTokensBelowZeroOrBeyondAnyBudgetAreClampedInsteadOfFailing() {
        assertThat(ModelTokens.reported(-5, Long.MAX_VALUE, 7)).isEqualTo(new ModelTokens(0, UsageLimits.MAX_VALUE, 0));
        assertThat(ModelTokens.reported(10, 2, 50)).isEqualTo(new ModelTokens(10, 2, 10));
        assertThat(ModelTokens.reported(Long.MAX_VALUE, Long.MAX_VALUE, 0).totalTokens()).isEqualTo(2 * UsageLimits.MAX_VALUE);
    }
}
