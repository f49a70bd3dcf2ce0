package chowder.domain;

import java.util.Locale;

/**
 * Who runs an instance's gateway: the operator ({@code external}, registered with its URL and token) or
 * Chowder itself on its own host ({@code local}, provisioned and supervised). Shown as {@code sandbox_provider}.
 */
public enum GatewayHosting {
    EXTERNAL,
    LOCAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static GatewayHosting fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
