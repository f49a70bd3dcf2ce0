package chowder.adapter.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the change feed as soon as another node commits a change: {@code LISTEN} on a connection of its
 * own (outside the pool, which it would otherwise hold forever). Reconnects after failures; the feed's
 * polling covers the gap.
 */
final class PostgresChangeListener {
    private static final Logger log = LoggerFactory.getLogger(PostgresChangeListener.class);
    private static final int WAIT_MILLIS = 500;
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

    private final PersistenceConfig config;
    private final String channel;
    private final Runnable onChange;
    private volatile boolean running = true;

    private PostgresChangeListener(PersistenceConfig config, String channel, Runnable onChange) {
        this.config = config;
        this.channel = channel;
        this.onChange = onChange;
    }

    /** Starts listening on a daemon thread; the returned action stops it. */
    static Runnable start(PersistenceConfig config, String channel, Runnable onChange) {
        PostgresChangeListener listener = new PostgresChangeListener(config, channel, onChange);
        Thread thread = Thread.ofPlatform().name("chowder-change-listener").daemon().start(listener::listen);
        return () -> {
            listener.running = false;
            thread.interrupt();
        };
    }

    private void listen() {
        while (running) {
            try (Connection connection = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password())) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + channel);
                }
                // Changes committed while not listening are found by the feed's next read.
                onChange.run();
                PGConnection notifications = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] received = notifications.getNotifications(WAIT_MILLIS);
                    if (received != null && received.length > 0) {
                        onChange.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Listening for store changes failed; polling until reconnected: {}", e.toString());
                    sleepBeforeReconnect();
                }
            }
        }
    }

    private void sleepBeforeReconnect() {
        try {
            Thread.sleep(RECONNECT_DELAY);
        } catch (InterruptedException e) {
            running = false;
        }
    }
}
