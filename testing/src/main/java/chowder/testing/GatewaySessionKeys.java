package chowder.testing;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/** How the OpenClaw gateway names sessions, as measured against OpenClaw 2026.9.6. */
final class GatewaySessionKeys {
    private GatewaySessionKeys() {}

    /**
     * The gateway's key normalisation: Latin-1, trimmed, lower-cased; {@code agent:main:x} is {@code x}; {@code global} is
     * shared; keys it refuses or cannot route come back prefixed {@code refused:} or {@code unknown-agent:}.
     */
    static String normalise(String rawKey) {
        if (rawKey == null) {
            return "throwaway:" + UUID.randomUUID();
        }
        // The JDK server already decodes header bytes as Latin-1, as the gateway does.
        String key = rawKey.strip().toLowerCase(Locale.ROOT);
        if (key.startsWith("subagent:") || key.startsWith("cron:") || key.startsWith("acp:")) {
            return "refused:" + key;
        }
        if (key.equals("global")) {
            return "global";
        }
        if (key.startsWith("agent:main:")) {
            return key;
        }
        if (key.startsWith("agent:")) {
            return "unknown-agent:" + key;
        }
        return "agent:main:" + key;
    }

    /** The session id the gateway gives a key: stable, so that a tool call can name the one it expects. */
    static String sessionIdOf(String key) {
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
