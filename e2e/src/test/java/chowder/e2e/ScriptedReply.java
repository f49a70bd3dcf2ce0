package chowder.e2e;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The answer text of {@link ScriptedModelServer}: what the model received, so that memory and isolation
 * are visible from outside the gateway.
 *
 * <p>The text is one {@code key=value} line per field, in this order, with {@code \n} between lines:
 * <pre>
 * turns=&lt;number of client user messages in the history, this one included&gt;
 * first=&lt;client text of the first user message&gt;
 * last=&lt;client text of the last user message&gt;
 * session=&lt;full OpenClaw session key, agent:main:&lt;key&gt;, or empty&gt;
 * request=&lt;number of this request at the model server, from 1&gt;
 * system_contains_marker=&lt;true|false&gt;   only when the last text holds echo-system:&lt;marker&gt;
 * pad=...                               only when a slow stream needs more characters than chunks
 * </pre>
 * Values escape backslash as {@code \\}, line feed as {@code \n} and carriage return as {@code \r}, so each
 * field stays on one line. {@link #parse} ignores keys it does not know.
 *
 * @param systemContainsMarker present only if the last user text asked {@code echo-system:<marker>}
 */
public record ScriptedReply(
        int turns, String first, String last, String session, int request, Optional<Boolean> systemContainsMarker) {

    public ScriptedReply {
        requireNonNull(first, "first is null");
        requireNonNull(last, "last is null");
        requireNonNull(session, "session is null");
        requireNonNull(systemContainsMarker, "systemContainsMarker is null");
    }

    /** Reads a reply text; throws {@link IllegalArgumentException} naming the text when a field is missing. */
    public static ScriptedReply parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.strip().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                fields.put(line.substring(0, equals).strip(), unescape(line.substring(equals + 1)));
            }
        }
        try {
            return new ScriptedReply(
                    Integer.parseInt(required(fields, "turns")),
                    required(fields, "first"),
                    required(fields, "last"),
                    fields.getOrDefault("session", ""),
                    Integer.parseInt(required(fields, "request")),
                    Optional.ofNullable(fields.get("system_contains_marker")).map(Boolean::parseBoolean));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a scripted model reply (" + e.getMessage() + "): " + text, e);
        }
    }

    public String format() {
        StringBuilder text = new StringBuilder()
                .append("turns=").append(turns)
                .append("\nfirst=").append(escape(first))
                .append("\nlast=").append(escape(last))
                .append("\nsession=").append(escape(session))
                .append("\nrequest=").append(request);
        systemContainsMarker.ifPresent(contains -> text.append("\nsystem_contains_marker=").append(contains));
        return text.toString();
    }

    private static String required(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key + "= line");
        }
        return value;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\' || i + 1 == value.length()) {
                out.append(c);
                continue;
            }
            char next = value.charAt(++i);
            out.append(switch (next) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                default -> next;
            });
        }
        return out.toString();
    }
}
