package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

/**
 * Where the store lives and how it is reached: a JDBC URL (H2 or PostgreSQL), credentials, the
 * pool size, and the master key that encrypts gateway tokens.
 */
public record PersistenceConfig(String jdbcUrl, String user, String password, int maxPoolSize, MasterKey masterKey) {
    public PersistenceConfig {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(masterKey, "masterKey is null");
        Database.of(jdbcUrl);
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("pool size must be at least 1");
        }
    }

    public Database database() {
        return Database.of(jdbcUrl);
    }

    @Override
    public String toString() {
        return "PersistenceConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=redacted, maxPoolSize=" + maxPoolSize + "]";
    }
}
