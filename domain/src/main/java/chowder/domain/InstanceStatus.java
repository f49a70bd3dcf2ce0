package chowder.domain;

import java.util.Locale;

/** Where an instance is in its lifecycle; only a running instance receives traffic. */
public enum InstanceStatus {
    PROVISIONING,
    RUNNING,
    STOPPED,
    ERROR,
    TERMINATED;

    /** The name used in the API and in storage, as the hosted API spells it. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static InstanceStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
