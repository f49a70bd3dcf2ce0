package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a client gave to connect an instance to a channel, by hosted field name, and whether the connection is on.
 * Every value is a secret (a token, a password, or what identifies an account): write-only, encrypted at rest, never in
 * an answer, a log line or an error. A disconnected channel keeps its fields.
 */
public record ChannelSettings(boolean enabled, Map<String, String> fields) {
    public ChannelSettings {
        fields = Map.copyOf(requireNonNull(fields, "fields is null"));
    }

    public ChannelSettings disabled() {
        return new ChannelSettings(false, fields);
    }

    @Override
    public String toString() {
        return "ChannelSettings[enabled=" + enabled + ", fields=" + new TreeMap<>(fields).keySet() + "]";
    }
}
