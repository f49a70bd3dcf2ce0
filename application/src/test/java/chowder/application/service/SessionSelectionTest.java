package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.SessionStorePort.SessionSelection;
import chowder.domain.KeyScope;
import chowder.domain.SessionId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionSelectionTest {
    private static final KeyScope BOUND = new KeyScope(Map.of(),
            Set.of(SessionId.of("user-42/x"), SessionId.of("user-7"), SessionId.of("other")), Optional.of("user-42/"));

    @Test
    void anUnboundKeySelectsTheListingsPrefixOrEverySession() {
        assertThat(SessionSelection.forListing(Optional.empty(), KeyScope.UNRESTRICTED)).isEqualTo(new SessionSelection(Optional.of(""), Set.of()));
        assertThat(SessionSelection.forListing(Optional.of("a"), KeyScope.UNRESTRICTED)).isEqualTo(new SessionSelection(Optional.of("a"), Set.of()));
    }

    @Test
    void aBoundKeySelectsItsPrefixAndTheExactIdsOutsideIt() {
        assertThat(SessionSelection.forListing(Optional.empty(), BOUND))
                .isEqualTo(new SessionSelection(Optional.of("user-42/"), Set.of(SessionId.of("user-7"), SessionId.of("other"))));
    }

    @Test
    void theListingsPrefixNarrowsTheBinding() {
        assertThat(SessionSelection.forListing(Optional.of("user-"), BOUND))
                .isEqualTo(new SessionSelection(Optional.of("user-42/"), Set.of(SessionId.of("user-7"))));
        assertThat(SessionSelection.forListing(Optional.of("user-42/a"), BOUND)).isEqualTo(new SessionSelection(Optional.of("user-42/a"), Set.of()));
        SessionSelection outsideThePrefix = SessionSelection.forListing(Optional.of("user-7"), BOUND);
        assertThat(outsideThePrefix).isEqualTo(new SessionSelection(Optional.empty(), Set.of(SessionId.of("user-7"))));
        assertThat(outsideThePrefix.matches(SessionId.of("user-42/x"))).isFalse();
        assertThat(SessionSelection.forListing(Optional.of("nobody"), BOUND).isEmpty()).isTrue();
    }
}
