package chowder.adapter.http.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chowder.adapter.http.ApiTest;
import chowder.adapter.http.RoutesHarness;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every admin change leaves one audit line naming what and to whom; refused tokens are counted, not logged one by one; no secret is logged. */
class AdminAuditTest extends ApiTest {
    private static final String TOKEN = RoutesHarness.ADMIN_TOKEN;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void capture() {
        lines.start();
        root.addAppender(lines);
    }

    @AfterEach
    void release() {
        root.detachAppender(lines);
        lines.stop();
    }

    @Test
    void eachAdminChangeIsLoggedOnceWithItsOrganizationAndNoSecretIsEverLogged() throws Exception {
        JsonNode created = JSON.readTree(send("POST", "/v1/admin/organizations", TOKEN, "{\"name\": \"Initech\"}").body());
        String id = created.path("organization").path("id").asText();
        String firstKey = created.path("api_key").asText();
        JsonNode issued = JSON.readTree(send("POST", "/v1/admin/organizations/" + id + "/keys", TOKEN, "{\"name\": \"ops\"}").body());
        assertThat(send("PATCH", "/v1/admin/organizations/" + id, TOKEN, "{\"suspended\": true}").statusCode()).isEqualTo(200);
        assertThat(send("PATCH", "/v1/admin/organizations/" + id, TOKEN, "{\"suspended\": false, \"name\": \"Initrode\"}").statusCode())
                .isEqualTo(200);
        assertThat(send("PATCH", "/v1/admin/organizations/" + id + "/plan", TOKEN, "{\"subscription_tier\": \"team\"}").statusCode())
                .isEqualTo(200);
        // Reading changes nothing and is not audited; a refused change is not either.
        assertThat(send("GET", "/v1/admin/organizations/" + id, TOKEN, null).statusCode()).isEqualTo(200);
        assertThat(send("PATCH", "/v1/admin/organizations/" + id, TOKEN, "{\"suspend\": true}").statusCode()).isEqualTo(422);
        // Guesses at the token, an organization's own key among them.
        for (String wrong : List.of(TOKEN + "x", firstKey, acmeKey, TOKEN.toUpperCase())) {
            assertThat(send("GET", "/v1/admin/organizations", wrong, null).statusCode()).isEqualTo(401);
        }

        assertThat(audit(Level.INFO)).containsExactly(
                "Admin action=create organization_id=" + id + " name=\"Initech\"",
                "Admin action=issue-key organization_id=" + id + " key_id=" + issued.path("id").asText() + " key_name=\"ops\"",
                "Admin action=suspend organization_id=" + id,
                "Admin action=rename organization_id=" + id + " name=\"Initrode\"",
                "Admin action=resume organization_id=" + id,
                "Admin action=plan-change organization_id=" + id + " plan=" + JSON.readTree(
                        send("GET", "/v1/admin/organizations/" + id + "/plan", TOKEN, null).body()));
        // The first refusal is told at once; the three after it wait for the next line, at least 10 s later.
        assertThat(audit(Level.WARN)).singleElement().asString()
                .startsWith("Admin API: refused 1 request(s) for a missing or wrong admin token since the last such line");
        for (ILoggingEvent line : List.copyOf(lines.list)) {
            String text = line.getFormattedMessage() + line.getMDCPropertyMap() + line.getThrowableProxy();
            for (String secret : List.of(TOKEN, TOKEN.toUpperCase(), firstKey, issued.path("raw_key").asText(), acmeKey)) {
                assertThat(text).as(line.getLoggerName()).doesNotContain(secret);
            }
        }
    }

    @Test
    void refusedTokensMakeOneWarningPerIntervalCountingThoseInBetween() {
        AtomicLong now = new AtomicLong(1_000_000);
        AdminAudit audit = new AdminAudit(now::get);
        for (int i = 0; i < 50; i++) {
            audit.refused("192.0.2.1");
        }
        now.addAndGet(AdminAudit.REFUSALS_INTERVAL.toNanos() - 1);
        audit.refused("192.0.2.1");
        assertThat(audit(Level.WARN)).singleElement().asString().startsWith("Admin API: refused 1 request(s)");
        now.addAndGet(1);
        audit.refused("192.0.2.9");
        assertThat(audit(Level.WARN)).hasSize(2).last().asString()
                .startsWith("Admin API: refused 51 request(s) for a missing or wrong admin token since the last such line")
                .endsWith("the latest from 192.0.2.9");
    }

    private List<String> audit(Level level) {
        return List.copyOf(lines.list).stream().filter(line -> line.getLoggerName().equals(AdminAudit.LOGGER) && line.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
