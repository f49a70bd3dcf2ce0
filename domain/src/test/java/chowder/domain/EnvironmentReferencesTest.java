package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvironmentReferencesTest {
    @Test
    void aSkillsKeyEnvironmentOrConfigNamingAGatewayVariableIsRefusedAtAnyDepth() {
        assertRefused(() -> new SkillSettingsPatch(Optional.empty(), Optional.of("${OPENCLAW_GATEWAY_TOKEN}"), Map.of(), Map.of()), "apiKey");
        assertRefused(() -> SkillSettingsPatch.ofEnv(Map.of("API_URL", "https://x.example/${MODEL_CREDENTIAL}")), "env API_URL");
        assertRefused(() -> new SkillSettingsPatch(Optional.empty(), Optional.empty(), Map.of(),
                Map.of("servers", List.of(Map.of("url", "${OPENCLAW_PROXY_URL}")))), "config");
    }

    @Test
    void dollarsAndBracesThatNameNoVariableStay() {
        // Lower-case names, a lone dollar, an unclosed brace: OpenClaw substitutes none of them.
        SkillSettingsPatch patch = new SkillSettingsPatch(Optional.empty(), Optional.of("pa$$word"),
                Map.of("TEMPLATE", "${lower} and ${ unclosed"), Map.of("price", "$5", "count", 3));
        assertThat(patch.apiKey()).contains("pa$$word");
        assertThat(patch.env()).containsEntry("TEMPLATE", "${lower} and ${ unclosed");
    }

    private static void assertRefused(Runnable action, String field) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
            assertThat(e.getMessage()).startsWith(field + " must not contain ${NAME}").doesNotContain("OPENCLAW_", "MODEL_CREDENTIAL");
        });
    }
}
