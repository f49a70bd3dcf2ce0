package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionIdTest {

    @Test
    void keepsTheIdExactly() {
        assertThat(SessionId.of(" User-42 ").value()).isEqualTo(" User-42 ");
    }

    @Test
    void acceptsTwoHundredFiftySixCodePointsEvenWhenAstral() {
        assertThat(SessionId.of("😀".repeat(256)).value()).hasSize(512);
    }

    @Test
    void rejectsEmptyAndOverlongIds() {
        assertThatThrownBy(() -> SessionId.of(""))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SESSION_ID))
                .hasMessageContaining("1 to 256");
        assertThatThrownBy(() -> SessionId.of("a".repeat(257))).hasMessageContaining("it has 257");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "tab\there", "new\nline", "\u007f", "\u0085next"})
    void rejectsControlCharacters(String raw) {
        assertThatThrownBy(() -> SessionId.of(raw)).hasMessageContaining("control characters");
    }

    @Test
    void rejectsUnpairedSurrogates() {
        assertThatThrownBy(() -> SessionId.of("a\uD83D")).hasMessageContaining("unpaired surrogate");
        assertThatThrownBy(() -> SessionId.of("\uDE00a")).hasMessageContaining("unpaired surrogate");
    }
}
