package chowder.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SessionKeyTest {
    private static final Pattern SAFE_KEY = Pattern.compile("chowder-[0-9]+-[a-z0-9_-]+");
    private static final int GATEWAY_HEADER_BUDGET = 8_000;

    @Test
    void distinctIdsGiveDistinctSafeKeysOverRandomAndAdversarialIds() {
        List<String> ids = new ArrayList<>(adversarialIds());
        Random random = new Random(20261126L);
        for (int i = 0; i < 20_000; i++) {
            ids.add(randomId(random));
        }
        Map<String, String> idByKey = new HashMap<>();
        for (String raw : ids) {
            SessionKey key = SessionKey.forSession(SessionId.of(raw), 0);
            assertThat(key.value()).matches(SAFE_KEY).hasSizeLessThan(GATEWAY_HEADER_BUDGET);
            assertThat(gatewayNormalised(key.value())).isEqualTo(key.value());
            String previous = idByKey.putIfAbsent(key.value(), raw);
            assertThat(previous == null || previous.equals(raw))
                    .as("ids %s and %s share the key %s", previous, raw, key.value()).isTrue();
            assertThat(decode(key.value())).isEqualTo(raw);
        }
        assertThat(idByKey.size()).isEqualTo(new HashSet<>(ids).size()).isGreaterThan(15_000);
    }

    @Test
    void sessionIdsDifferingOnlyInCaseSpacesOrNormalisationFormAreIsolated() {
        String nfc = Normalizer.normalize("café", Normalizer.Form.NFC);
        String nfd = Normalizer.normalize("café", Normalizer.Form.NFD);
        assertThat(nfc).isNotEqualTo(nfd);
        List<String> keys = List.of("user-42", "User-42", " user-42", "user-42 ", "USER-42", nfc, nfd, "main", "MAIN")
                .stream().map(id -> SessionKey.forSession(SessionId.of(id), 0).value()).toList();
        assertThat(keys).doesNotHaveDuplicates();
    }

    @Test
    void noIdCanProduceAReservedOrFullKeyForm() {
        for (String raw : adversarialIds()) {
            String key = SessionKey.forSession(SessionId.of(raw), 0).value();
            assertThat(key).startsWith("chowder-").doesNotContain(":").isNotEqualTo("global");
        }
        assertThat(SessionKey.forSession(SessionId.of("agent:main:x"), 0).value()).isEqualTo("chowder-0-agent_3amain_3ax");
    }

    @Test
    void generationsOfOneIdAndIdsThatLookLikeGenerationsStayApart() {
        assertThat(SessionKey.forSession(SessionId.of("x"), 1).value()).isEqualTo("chowder-1-x");
        assertThat(SessionKey.forSession(SessionId.of("1-x"), 0).value()).isEqualTo("chowder-0-1-x");
        Map<String, String> seen = new HashMap<>();
        for (String raw : List.of("x", "1-x", "0-x", "-x", "12-x", "2-x")) {
            for (long generation = 0; generation < 15; generation++) {
                String key = SessionKey.forSession(SessionId.of(raw), generation).value();
                assertThat(seen.put(key, raw + "@" + generation)).as(key).isNull();
            }
        }
    }

    @Test
    void readableIdsStayReadable() {
        assertThat(SessionKey.forSession(SessionId.MAIN, 0).value()).isEqualTo("chowder-0-main");
        assertThat(SessionKey.forSession(SessionId.of("User-42"), 0).value()).isEqualTo("chowder-0-_55ser-42");
        assertThat(SessionKey.forSession(SessionId.of("a/b"), 0).value()).isEqualTo("chowder-0-a_2fb");
        assertThat(SessionKey.forSession(SessionId.of("snake_case"), 0).value()).isEqualTo("chowder-0-snake_5fcase");
    }

    @Test
    void theLongestIdStaysWellUnderTheGatewayHeaderLimit() {
        String longest = "😀".repeat(SessionId.MAX_CODE_POINTS);
        assertThat(SessionKey.forSession(SessionId.of(longest), Long.MAX_VALUE).value()).hasSizeLessThan(3_200);
    }

    @Test
    void rejectsNegativeGenerations() {
        assertThatThrownBy(() -> SessionKey.forSession(SessionId.MAIN, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    static List<String> adversarialIds() {
        return List.of("main", "MAIN", "Main", " main", "main ", "user-42", "User-42", " user-42", "user-42\u00a0",
                "agent:main:user-42", "agent:main:main", "agent:other:x", "global", "GLOBAL", "subagent:x", "cron:x",
                "acp:x", "%", "%2F", "%25", "~", "..", ".", "/", "a/b", "a%2Fb", "_", "__", "_5f", "-", "0-x",
                "café", Normalizer.normalize("café", Normalizer.Form.NFD), "Ⅻ", "ß", "SS", "İ", "i̇", "ǅ",
                "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "😀", "\uD83D\uDE00x", "a".repeat(256), "é".repeat(256), "😀".repeat(256),
                "\u200b", "\ufeffid", "line\u2028sep", "<script>", "' or 1=1 --", "\\", "\"quoted\"");
    }

    /** What the gateway is measured to do to a key: lower-case it, trim it, read its bytes as Latin-1. */
    private static String gatewayNormalised(String key) {
        String latin1 = new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        return latin1.strip().toLowerCase(Locale.ROOT);
    }

    private static String randomId(Random random) {
        int length = 1 + random.nextInt(random.nextInt(10) == 0 ? SessionId.MAX_CODE_POINTS : 12);
        StringBuilder id = new StringBuilder();
        while (id.codePointCount(0, id.length()) < length) {
            int codePoint = switch (random.nextInt(5)) {
                case 0 -> 'a' + random.nextInt(26);
                case 1 -> 'A' + random.nextInt(26);
                case 2 -> " -_./:%~0123456789".charAt(random.nextInt(18));
                case 3 -> 0xA0 + random.nextInt(0xD7FF - 0xA0);
                default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
            };
            if (Character.getType(codePoint) != Character.CONTROL) {
                id.appendCodePoint(codePoint);
            }
        }
        return id.toString();
    }

    /** The inverse of the encoding, which exists only because the encoding is injective. */
    private static String decode(String key) {
        String escaped = key.substring(key.indexOf('-', SessionKey.PREFIX.length()) + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '_') {
                bytes.write(Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
