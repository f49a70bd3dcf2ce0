package chowder.e2e;

import java.util.Optional;

/**
 * How {@link ScriptedModelServer} answers one request, read from words in the last client text:
 * {@code wait:<ms>} delays the answer, {@code slow:<chunks>:<gapMs>} streams the reply in that many
 * content chunks with a pause between them, {@code fail:<status>} answers that HTTP status with an OpenAI
 * error body, {@code fail-midstream} cuts the connection after the first content chunks, and
 * {@code echo-system:<marker>} reports whether the system prompt contains the marker, and
 * {@code exec:<base64url command>} answers with a call of the agent's {@code exec} tool running that shell command
 * (the next request, which carries the tool's output, is answered with that output). Other words are ignored, so
 * the directives can be mixed with ordinary text.
 */
record ModelScript(
        long waitMillis, int chunks, long gapMillis, int failStatus, boolean failMidstream, Optional<String> systemMarker,
        Optional<String> execCommand) {

    static final int DEFAULT_CHUNKS = 3;

    static ModelScript from(String lastUserText) {
        long waitMillis = 0;
        int chunks = DEFAULT_CHUNKS;
        long gapMillis = 0;
        int failStatus = 0;
        boolean failMidstream = false;
        Optional<String> systemMarker = Optional.empty();
        Optional<String> execCommand = Optional.empty();
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
                case "exec" -> execCommand = parts.length > 1 ? decode(parts[1]) : execCommand;
                default -> {
                    // ordinary text
                }
            }
        }
        return new ModelScript(waitMillis, chunks, gapMillis, failStatus, failMidstream, systemMarker, execCommand);
    }

    /** The directive that makes the model run {@code command} with the agent's exec tool. */
    static String exec(String command) {
        return "exec:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(command.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Optional<String> decode(String encoded) {
        try {
            return Optional.of(new String(java.util.Base64.getUrlDecoder().decode(encoded), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
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
