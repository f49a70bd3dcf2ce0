package chowder.e2e;

import java.util.Optional;

/**
 * How {@link ScriptedModelServer} answers one request, read from words in the last client text:
 * {@code wait:<ms>} delays the answer, {@code slow:<chunks>:<gapMs>} streams the reply in that many
 * content chunks with a pause between them, {@code fail:<status>} answers that HTTP status with an OpenAI
 * error body, {@code fail-midstream} cuts the connection after the first content chunks, and
 * {@code echo-system:<marker>} reports whether the system prompt contains the marker. Other words are
 * ignored, so the directives can be mixed with ordinary text.
 */
record ModelScript(
        long waitMillis, int chunks, long gapMillis, int failStatus, boolean failMidstream, Optional<String> systemMarker) {

    static final int DEFAULT_CHUNKS = 3;

    static ModelScript from(String lastUserText) {
        long waitMillis = 0;
        int chunks = DEFAULT_CHUNKS;
        long gapMillis = 0;
        int failStatus = 0;
        boolean failMidstream = false;
        Optional<String> systemMarker = Optional.empty();
        for (String word : lastUserText.split("\\s+")) {
            String[] parts = word.split(":", -1);
            switch (parts[0]) {
                case "wait" -> waitMillis = number(parts, 1, waitMillis);
                case "slow" -> {
                    chunks = (int) Math.max(1, number(parts, 1, chunks));
                    gapMillis = number(parts, 2, gapMillis);
                }
                case "fail" -> failStatus = (int) number(parts, 1, failStatus);
                case "fail-midstream" -> failMidstream = true;
                case "echo-system" -> systemMarker = parts.length > 1 && !parts[1].isEmpty()
                        ? Optional.of(word.substring("echo-system:".length()))
                        : systemMarker;
                default -> {
                    // ordinary text
                }
            }
        }
        return new ModelScript(waitMillis, chunks, gapMillis, failStatus, failMidstream, systemMarker);
    }

    private static long number(String[] parts, int index, long fallback) {
        if (parts.length <= index) {
            return fallback;
        }
        try {
            return Long.parseLong(parts[index]);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
