package chowder.adapter.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sessions listing (issue #8: fast with 100,000 sessions on an instance) reads the instance's sessions
 * through an index on the first page, a page far down (keyset cursor) and a prefix page: the database plans of
 * the store's own page query over 100,000 sessions of one instance and 20,000 of others, with fresh statistics,
 * show an index scan bounded by the cursor or the prefix, no sequential scan, and no sort but of a prefix's few
 * matching sessions. A key bound to exact ids reads them by primary key. Speed itself is
 * measured outside the test run (NOTES-FOR-README.md).
 */
class SessionListingPlanTest {
    private static final int SESSIONS = 100_000;
    private static final int OTHER_SESSIONS = 20_000;
    private static final int PAGE = 100;
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant END_OF_TIME = Instant.parse("9999-12-31T00:00:00Z");
    private static final UUID ORGANIZATION = UUID.randomUUID();
    private static final UUID INSTANCE = UUID.randomUUID();
    private static final List<UUID> OTHER_INSTANCES = List.of(UUID.randomUUID(), UUID.randomUUID());
    private static final Pattern POSTGRES_NODE = Pattern.compile("\"Node Type\"\\s*:\\s*\"([^\"]+)\"");

    @TempDir
    Path dataDir;
    private HikariDataSource dataSource;
    private String schema;

    @AfterEach
    void dropDatabase() throws SQLException {
        if (dataSource != null) {
            dataSource.close();
        }
        if (schema != null) {
            try (Connection connection = DriverManager.getConnection(PostgresDatabase.SERVER, "postgres", "")) {
                connection.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void postgresReadsEveryPageThroughTheIndexWithoutSorting() throws Exception {
        schema = "chowder_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = DriverManager.getConnection(PostgresDatabase.SERVER, "postgres", "")) {
            connection.createStatement().execute("CREATE SCHEMA " + schema);
        }
        Jdbi jdbi = loadedDatabase(PostgresDatabase.SERVER + "?currentSchema=" + schema, "postgres");
        jdbi.useHandle(handle -> handle.execute("ANALYZE"));

        for (PageQuery page : pages()) {
            String plan = jdbi.withHandle(handle -> page.explain(handle, "EXPLAIN (FORMAT JSON) "));
            List<String> nodes = POSTGRES_NODE.matcher(plan).results().map(match -> match.group(1)).toList();
            assertThat(nodes).as("%s plan:%n%s", page.name(), plan)
                    .anyMatch(node -> node.contains("Index"))
                    .noneMatch(node -> node.contains("Seq Scan"));
            if (page.bound()) {
                // A key's exact ids are primary-key lookups, its prefix a range as above: only its own sessions are read.
                assertThat(plan).as("%s: the key's ids are looked up by key:%n%s", page.name(), plan)
                        .containsPattern("\"Index Cond\"[^\\n]*session_id\\)?(::text)? = \\(?wanted");
            }
            if (page.prefix()) {
                // Only the sessions in the prefix's range are read (sessions_by_id_prefix), then sorted: a few rows.
                assertThat(plan).as("%s: the prefix bounds the index scan:%n%s", page.name(), plan)
                        .containsPattern("\"Index Cond\"[^\\n]*session_id[^\\n]*~>=~");
            } else if (!page.bound()) {
                assertThat(nodes).as("%s plan:%n%s", page.name(), plan).noneMatch(node -> node.contains("Sort"));
                assertThat(plan).as("%s: the cursor bounds the index scan, rather than filtering what it read:%n%s", page.name(), plan)
                        .containsPattern(page.cursor() ? "\"Index Cond\"[^\\n]*last_used_at" : "\"Index Cond\"");
            }
        }
    }

    @Test
    void h2ReadsEveryPageThroughTheIndexInItsOrder() throws Exception {
        Jdbi jdbi = loadedDatabase("jdbc:h2:file:" + dataDir.resolve("chowder") + ";AUTO_SERVER=TRUE", "sa");
        jdbi.useHandle(handle -> handle.execute("ANALYZE"));

        for (PageQuery page : pages()) {
            String plan = jdbi.withHandle(handle -> page.explain(handle, "EXPLAIN "));
            if (page.bound()) {
                assertThat(plan).as("%s: the key's ids are looked up in the primary key:%n%s", page.name(), plan)
                        .containsPattern("(?i)PRIMARY_KEY[^*]*SESSION_ID = \"?WANTED_ID");
            }
            if (page.prefix()) {
                // A range of the primary key (instance_id, session_id): only the matching sessions are read and sorted.
                assertThat(plan).as("%s plan:%n%s", page.name(), plan).containsPattern("(?i)PRIMARY_KEY[^*]*SESSION_ID >=");
            } else if (!page.bound()) {
                assertThat(plan).as("%s plan:%n%s", page.name(), plan)
                        .containsIgnoringCase("SESSIONS_BY_RECENT_ACTIVITY")
                        .containsIgnoringCase("/* index sorted */");
            }
        }
    }

    /**
     * One call of one of the store's page queries ({@link SessionDao#page}, or for a key bound to exact ids
     * {@link SessionDao#pageOfIds} and {@link SessionDao#pageOfPrefixAndIds}): {@link JdbiSessionStore#list}
     * binds these values the same way.
     */
    record PageQuery(String name, String prefixPattern, List<String> sessionIds, Instant afterTime, String afterId) {
        boolean cursor() {
            return !afterId.isEmpty();
        }

        boolean prefix() {
            return !prefixPattern.isEmpty() && !prefixPattern.equals("%");
        }

        boolean bound() {
            return !sessionIds.isEmpty();
        }

        String explain(Handle handle, String explain) {
            String sql = !bound() ? pageSql() : prefixPattern.isEmpty() ? daoSql("pageOfIds") : daoSql("pageOfPrefixAndIds");
            var query = handle.createQuery(explain + sql)
                    .bind("instanceId", INSTANCE)
                    .bind("afterTime", afterTime)
                    .bind("afterId", afterId)
                    .bind("limit", PAGE);
            if (!prefixPattern.isEmpty()) {
                query.bind("prefixPattern", prefixPattern);
            }
            if (bound()) {
                query.bind("sessionIds", sessionIds.toArray(String[]::new));
            }
            return String.join("\n", query.mapTo(String.class).list());
        }
    }

    /**
     * The first page, the 500th (through the cursor the 499th page ends with), a page of one user's sessions, and
     * the pages of keys bound to 100 exact ids, with and without a prefix (a key bound to a prefix alone runs the
     * prefix page).
     */
    private static List<PageQuery> pages() {
        // Newest first: the 499th page ends with the session used 499 * PAGE places before the newest.
        long last = SESSIONS - 499L * PAGE + 1;
        List<String> ids = java.util.stream.LongStream.range(0, 100).mapToObj(n -> sessionId(7 + 1_000 * n)).toList();
        return List.of(
                new PageQuery("first page", "%", List.of(), END_OF_TIME, ""),
                new PageQuery("500th page", "%", List.of(), START.plusSeconds(last), sessionId(last)),
                new PageQuery("prefix page", "user-42/%", List.of(), END_OF_TIME, ""),
                new PageQuery("page of a key bound to ids", "", ids, END_OF_TIME, ""),
                new PageQuery("page of a key bound to a prefix and ids", "user-42/%", ids, END_OF_TIME, ""));
    }

    /** The SQL of {@link SessionDao#page}, exactly as the store runs it. */
    static String pageSql() {
        return daoSql("page");
    }

    private static String daoSql(String method) {
        return java.util.Arrays.stream(SessionDao.class.getMethods()).filter(each -> each.getName().equals(method))
                .map(each -> each.getAnnotation(SqlQuery.class).value())
                .findFirst().orElseThrow(() -> new AssertionError("SessionDao." + method + " is gone"));
    }

    /** Session n of the instance: 1,000 users with 100 chats each, one used per second. */
    static String sessionId(long n) {
        return "user-" + (n % 1_000) + "/chat-" + n;
    }

    /** A migrated database with the sessions loaded; {@link #dataSource} is closed after the test. */
    private Jdbi loadedDatabase(String url, String user) throws SQLException {
        Injector injector = Guice.createInjector(new PersistenceModule(
                new PersistenceConfig(url, user, "", 4, MasterKey.generate(new SecureRandom()))));
        dataSource = injector.getInstance(HikariDataSource.class);
        injector.getInstance(DatabaseMigrations.class).migrate();
        loadSessions(dataSource, SESSIONS, OTHER_SESSIONS);
        return injector.getInstance(Jdbi.class);
    }

    /** An organization, the instance with {@code sessions} sessions (every 50th deleted) and two others sharing {@code others}. */
    static void loadSessions(HikariDataSource dataSource, int sessions, int others) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            Timestamp now = Timestamp.from(START);
            try (PreparedStatement organization = connection.prepareStatement("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, 'Acme', ?, ?)")) {
                organization.setObject(1, ORGANIZATION);
                organization.setTimestamp(2, now);
                organization.setTimestamp(3, now);
                organization.execute();
            }
            try (PreparedStatement instance = connection.prepareStatement("""
                    INSERT INTO instances (id, organization_id, name, status, gateway_url, gateway_token_encrypted, created_at, updated_at)
                    VALUES (?, ?, 'bot', 'running', 'http://127.0.0.1:18789', 'not a real token', ?, ?)""")) {
                for (UUID id : List.of(INSTANCE, OTHER_INSTANCES.get(0), OTHER_INSTANCES.get(1))) {
                    instance.setObject(1, id);
                    instance.setObject(2, ORGANIZATION);
                    instance.setTimestamp(3, now);
                    instance.setTimestamp(4, now);
                    instance.addBatch();
                }
                instance.executeBatch();
            }
            try (PreparedStatement session = connection.prepareStatement("INSERT INTO sessions (" + SessionDao.COLUMNS
                    + ") VALUES (?, ?, 0, ?, ?, ?, 1, 10, 20)")) {
                for (long n = 1; n <= sessions + others; n++) {
                    boolean own = n <= sessions;
                    session.setObject(1, own ? INSTANCE : OTHER_INSTANCES.get((int) (n % 2)));
                    session.setString(2, own ? sessionId(n) : "other-" + n);
                    session.setBoolean(3, own && n % 50 == 0);
                    session.setTimestamp(4, now);
                    session.setTimestamp(5, Timestamp.from(START.plusSeconds(own ? n : n - sessions)));
                    session.addBatch();
                    if (n % 1_000 == 0) {
                        session.executeBatch();
                    }
                }
                session.executeBatch();
            }
            connection.commit();
        }
    }
}
