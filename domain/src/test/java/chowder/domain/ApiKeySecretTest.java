package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeySecretTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void generatedKeysHaveTheirPrefixAndParseBack() {
        ApiKeySecret org = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, random);
        ApiKeySecret scoped = ApiKeySecret.generate(ApiKeyKind.SCOPED, random);
        assertThat(org.value()).matches("chd_org_[0-9A-Za-z]{36}");
        assertThat(scoped.value()).matches("chd_sk_[0-9A-Za-z]{36}");
        assertThat(ApiKeySecret.parse(org.value()).kind()).isEqualTo(ApiKeyKind.ORGANIZATION);
        assertThat(ApiKeySecret.parse(scoped.value()).hash()).isEqualTo(scoped.hash());
        assertThat(org.displayPrefix()).hasSize(14).startsWith("chd_org_");
    }

    @Test
    void keysIssuedBeforeStillParse() {
        // Made by an earlier version of the checksum: every key ever issued must keep working, whatever computes it now.
        String issued = "chd_org_07ELSZgnu18FMTahov29GNUbipw3AH1QTflr";
        assertThat(ApiKeySecret.parse(issued).kind()).isEqualTo(ApiKeyKind.ORGANIZATION);
        assertThatThrownBy(() -> ApiKeySecret.parse(issued.substring(0, issued.length() - 1) + "q"))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_API_KEY));
    }

    @Test
    void everySingleCharacterTypoIsRejectedByTheChecksum() {
        String key = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, random).value();
        for (int i = 8; i < key.length(); i++) {
            char replacement = key.charAt(i) == 'a' ? 'b' : 'a';
            String typo = key.substring(0, i) + replacement + key.substring(i + 1);
            assertThatThrownBy(() -> ApiKeySecret.parse(typo))
                    .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_API_KEY));
        }
    }

    @Test
    void rejectsForeignShapes() {
        for (String raw : new String[] {"", "chd_org_", "sk-abc", "chd_org_" + "a".repeat(36), "Bearer x"}) {
            assertThatThrownBy(() -> ApiKeySecret.parse(raw)).isInstanceOf(ChowderException.class);
        }
    }

    @Test
    void neverPrintsItself() {
        ApiKeySecret secret = ApiKeySecret.generate(ApiKeyKind.ORGANIZATION, random);
        assertThat(secret.toString()).doesNotContain(secret.value().substring(8));
    }

    @Test
    void keysAreUniqueAndHashesAreSha256Hex() {
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            hashes.add(ApiKeySecret.generate(ApiKeyKind.SCOPED, random).hash().hex());
        }
        assertThat(hashes).hasSize(1_000).allMatch(h -> h.matches("[0-9a-f]{64}"));
    }
}
