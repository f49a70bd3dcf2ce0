package chowder.e2e;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises what OpenClaw 2026.9.6 adds around a client's text before a model sees it, so that the
 * scripted model can report the client's own words.
 */
final class OpenClawPromptText {
    /**
     * OpenClaw stamps each user message with its arrival time, {@code [Thu 2026-11-26 09:13 UTC] }, at
     * the model boundary (its {@code TIMESTAMP_ENVELOPE_PATTERN} is {@code ^\[.*\d{4}-\d{2}-\d{2} \d{2}:\d{2}}).
     */
    private static final Pattern TIMESTAMP_ENVELOPE =
            Pattern.compile("\\A\\[[^\\]\\n]*\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}[^\\]\\n]*\\] ");

    /**
     * For prompt caching OpenClaw moves its {@code Runtime: agent=main | session=... | ...} line out of
     * the system prompt and appends it to the first user message of the session.
     */
    private static final Pattern RELOCATED_RUNTIME_LINE = Pattern.compile("\\n\\nRuntime: [^\\n]*\\z");

    /**
     * A message from a channel starts with OpenClaw's context blocks about it, each {@code <Label>: ⟦openclaw:ctx⟧}
     * followed by a fenced JSON block ({@code Conversation info: …{"sender": {"id": "5151", …}}}).
     */
    private static final Pattern CHANNEL_CONTEXT = Pattern.compile("\\A(?:[A-Z][A-Za-z ]*: ⟦openclaw:ctx⟧\\n```json\\n.*?\\n```\\n\\n)+", Pattern.DOTALL);

    private static final Pattern RUNTIME_SESSION = Pattern.compile("(?m)^Runtime: [^\\n]*?\\bsession=([^ |\\n]+)");

    /** Each turn OpenClaw sends one extra user message holding its own context between these markers. */
    private static final String INTERNAL_CONTEXT_BEGIN = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>";

    private OpenClawPromptText() {}

    static boolean isInternalContext(String userMessageText) {
        return userMessageText.startsWith(INTERNAL_CONTEXT_BEGIN);
    }

    /** The text the client sent, with the timestamp envelope, a channel's context and the relocated runtime line removed. */
    static String clientText(String userMessageText) {
        String text = TIMESTAMP_ENVELOPE.matcher(userMessageText).replaceFirst("");
        text = CHANNEL_CONTEXT.matcher(text).replaceFirst("");
        return RELOCATED_RUNTIME_LINE.matcher(text).replaceFirst("");
    }

    /** The full session key ({@code agent:main:<key>}) from a runtime line, if the text carries one. */
    static Optional<String> sessionKey(String text) {
        Matcher matcher = RUNTIME_SESSION.matcher(text);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
