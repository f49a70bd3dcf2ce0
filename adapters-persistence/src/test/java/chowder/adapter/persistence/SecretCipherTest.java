package chowder.adapter.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.domain.GatewayToken;
import chowder.domain.InstanceId;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SecretCipherTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    // Written by GatewayTokenCipher and MasterKeyCheck before they shared SecretCipher: stored values must still open.
    private static final MasterKey FIXED_KEY = new MasterKey(fixedKeyBytes());
    private static final InstanceId FIXED_INSTANCE = new InstanceId(UUID.fromString("6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f"));
    private static final String TOKEN_STORED_BEFORE =
            "v1:5Q82Hi9j1rhGHUh1fgMYIJkua4wk8Wamm3C0VUwP/7YfVFzwvRwYNXLkH3Qu00X6BhPd4AD9syilf/Xauw==";
    private static final String CHECK_STORED_BEFORE = "v1:foZjfT9Ce/+UugWqdgI7XexfjriXZG3DLTNBGftenE/CJsVzGWP/LC3ZcCqP6U2DOFiOKA==";

    private final SecretCipher cipher = new SecretCipher(MasterKey.generate(RANDOM), RANDOM);

    @Test
    void gatewayTokensAndCheckValuesStoredBeforeStillOpen() {
        assertThat(new GatewayTokenCipher(FIXED_KEY, RANDOM).decrypt(FIXED_INSTANCE, TOKEN_STORED_BEFORE))
                .isEqualTo(new GatewayToken("token-stored-before-secret-cipher"));
        assertThat(MasterKeyCheck.opens(FIXED_KEY, CHECK_STORED_BEFORE)).isTrue();
        assertThat(MasterKeyCheck.opens(MasterKey.generate(RANDOM), CHECK_STORED_BEFORE)).isFalse();
    }

    @Test
    void opensOnlyWithTheSameAssociatedData() {
        String stored = cipher.encrypt("row-1", "plain-secret");
        assertThat(stored).startsWith("v1:").doesNotContain("plain-secret");
        assertThat(cipher.decrypt("row-1", stored, "the secret of row 1")).isEqualTo("plain-secret");
        assertThatThrownBy(() -> cipher.decrypt("row-2", stored, "the secret of row 2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot decrypt the secret of row 2: the master key differs")
                .message().doesNotContain("plain-secret");
    }

    @Test
    void everyEncryptionUsesAFreshNonce() {
        assertThat(IntStream.range(0, 20).mapToObj(i -> cipher.encrypt("row", "same")).distinct()).hasSize(20);
    }

    @Test
    void unknownAndDamagedValuesAreNamed() {
        assertThatThrownBy(() -> cipher.decrypt("row", "v2:AAAA", "the secret")).hasMessage("the secret has an unknown encryption format");
        assertThatThrownBy(() -> cipher.decrypt("row", "v1:not base64!", "the secret")).hasMessage("the secret is damaged (not base64)");
        assertThatThrownBy(() -> cipher.decrypt("row", "v1:AAAA", "the secret")).hasMessage("the secret is damaged (too short)");
    }

    private static byte[] fixedKeyBytes() {
        byte[] bytes = new byte[MasterKey.LENGTH_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }
}
