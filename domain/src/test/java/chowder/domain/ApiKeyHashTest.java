package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiKeyHashTest {
    private static final String DIGEST = "0123456789abcdef".repeat(4);

    @Test
    void onlyLowerCaseHexOfSixtyFourDigitsIsADigest() {
        assertThat(new ApiKeyHash(DIGEST).hex()).isEqualTo(DIGEST);
        for (String wrong : new String[] {DIGEST.toUpperCase(java.util.Locale.ROOT), DIGEST.substring(1), DIGEST + "0",
                DIGEST.substring(1) + "g", DIGEST.substring(1) + "/", DIGEST.substring(1) + ":", DIGEST.substring(1) + "`", ""}) {
            assertThatThrownBy(() -> new ApiKeyHash(wrong)).as(wrong).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void matchesOnlyTheSameDigest() {
        ApiKeyHash hash = new ApiKeyHash(DIGEST);
        assertThat(hash.matches(new ApiKeyHash(DIGEST))).isTrue();
        assertThat(hash.matches(new ApiKeyHash("1" + DIGEST.substring(1)))).isFalse();
        assertThat(hash.matches(new ApiKeyHash(DIGEST.substring(0, 63) + "e"))).isFalse();
        assertThat(ApiKeyHash.of("key".getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex())
                .isEqualTo("2c70e12b7a0646f92279f427c7b38e7334d8e5389cff167a1dc30e73f826b683");
    }
}
