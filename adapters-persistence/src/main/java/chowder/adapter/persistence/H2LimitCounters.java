package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import io.github.bucket4j.BucketExceptions;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.ExpiredEntriesCleaner;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.AbstractSelectForUpdateBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.LockAndGetResult;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.SelectForUpdateBasedTransaction;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Bucket4j's "select for update" storage for H2, which Bucket4j does not ship: the algorithm and its transactions are
 * Bucket4j's ({@link AbstractSelectForUpdateBasedProxyManager}); this class only speaks H2's SQL, as Bucket4j's own
 * PostgreSQL class does for PostgreSQL, on the table {@code limit_counters}.
 */
final class H2LimitCounters extends AbstractSelectForUpdateBasedProxyManager<String> implements ExpiredEntriesCleaner {
    private static final String SELECT = "SELECT state FROM limit_counters WHERE id = ? FOR UPDATE";
    // Two nodes never share an H2 file, but two requests may insert one counter at once: the loser's insert fails on
    // the primary key and Bucket4j retries in a new transaction, where the select finds the row.
    private static final String INSERT = "INSERT INTO limit_counters (id, state, expires_at) VALUES (?, NULL, NULL)";
    private static final String UPDATE = "UPDATE limit_counters SET state = ?, expires_at = ? WHERE id = ?";
    private static final String REMOVE = "DELETE FROM limit_counters WHERE id = ?";
    private static final String REMOVE_EXPIRED = """
            DELETE FROM limit_counters WHERE id IN (SELECT id FROM limit_counters WHERE expires_at < ? LIMIT ?)
            """;
    private static final String DUPLICATE_KEY = "23505";

    private final DataSource dataSource;
    private final ExpirationAfterWriteStrategy expiration;

    H2LimitCounters(DataSource dataSource, ExpirationAfterWriteStrategy expiration) {
        super(ClientSideConfig.getDefault().withExpirationAfterWriteStrategy(expiration));
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.expiration = requireNonNull(expiration, "expiration is null");
    }

    @Override
    public boolean isExpireAfterWriteSupported() {
        return true;
    }

    @Override
    protected SelectForUpdateBasedTransaction allocateTransaction(String key, Optional<Long> timeoutNanos) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new BucketExceptions.BucketExecutionException(e);
        }
        return new SelectForUpdateBasedTransaction() {
            @Override
            public void begin(Optional<Long> timeout) {
                run(() -> connection.setAutoCommit(false));
            }

            @Override
            public void rollback() {
                run(connection::rollback);
            }

            @Override
            public void commit(Optional<Long> timeout) {
                run(connection::commit);
            }

            @Override
            public LockAndGetResult tryLockAndGet(Optional<Long> timeout) {
                try (PreparedStatement select = connection.prepareStatement(SELECT)) {
                    applyTimeout(select, timeout);
                    select.setString(1, key);
                    try (ResultSet rows = select.executeQuery()) {
                        return rows.next() ? LockAndGetResult.locked(rows.getBytes(1)) : LockAndGetResult.notLocked();
                    }
                } catch (SQLException e) {
                    throw new BucketExceptions.BucketExecutionException(e);
                }
            }

            @Override
            public boolean tryInsertEmptyData(Optional<Long> timeout) {
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    applyTimeout(insert, timeout);
                    insert.setString(1, key);
                    return insert.executeUpdate() > 0;
                } catch (SQLException e) {
                    if (DUPLICATE_KEY.equals(e.getSQLState())) {
                        return false;
                    }
                    throw new BucketExceptions.BucketExecutionException(e);
                }
            }

            @Override
            public void update(byte[] data, RemoteBucketState state, Optional<Long> timeout) {
                try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
                    applyTimeout(update, timeout);
                    long ttl = expiration.calculateTimeToLiveMillis(state, currentTimeNanos());
                    update.setBytes(1, data);
                    update.setLong(2, ttl < 0 ? Long.MAX_VALUE : System.currentTimeMillis() + ttl);
                    update.setString(3, key);
                    update.executeUpdate();
                } catch (SQLException e) {
                    throw new BucketExceptions.BucketExecutionException(e);
                }
            }

            @Override
            public void release() {
                run(connection::close);
            }
        };
    }

    @Override
    public void removeProxy(String key) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement remove = connection.prepareStatement(REMOVE)) {
            remove.setString(1, key);
            remove.executeUpdate();
        } catch (SQLException e) {
            throw new BucketExceptions.BucketExecutionException(e);
        }
    }

    @Override
    public int removeExpired(int batchSize) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement remove = connection.prepareStatement(REMOVE_EXPIRED)) {
            remove.setLong(1, System.currentTimeMillis());
            remove.setInt(2, batchSize);
            return remove.executeUpdate();
        } catch (SQLException e) {
            throw new BucketExceptions.BucketExecutionException(e);
        }
    }

    private static void run(SqlAction action) {
        try {
            action.run();
        } catch (SQLException e) {
            throw new BucketExceptions.BucketExecutionException(e);
        }
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }
}
