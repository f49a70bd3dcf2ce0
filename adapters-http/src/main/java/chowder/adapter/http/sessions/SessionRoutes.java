package chowder.adapter.http.sessions;

import chowder.adapter.http.BearerAuthentication;
import chowder.application.port.UsageReport;
import chowder.application.port.in.ManageSessionsUseCase;
import chowder.application.port.in.ManageSessionsUseCase.DayUsage;
import chowder.application.port.in.ManageSessionsUseCase.SessionPage;
import chowder.application.port.in.UsageWindow;
import chowder.application.port.in.ViewModelUsageUseCase;
import chowder.application.port.in.ViewModelUsageUseCase.ProviderUsage;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import chowder.domain.ModelTokens;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** The sessions extension: list, show, reset and delete sessions, and usage roll-ups. */
public final class SessionRoutes {
    private final ManageSessionsUseCase sessions;
    private final ViewModelUsageUseCase modelUsage;
    private final ObjectMapper json;

    public SessionRoutes(ManageSessionsUseCase sessions, ViewModelUsageUseCase modelUsage, ObjectMapper json) {
        this.modelUsage = modelUsage;
        this.sessions = sessions;
        this.json = json;
    }

    /** Adds its routes to Javalin's. */
    public void register(RoutesConfig routes) {
        routes.get("/v1/instances/{id}/sessions", this::list);
        routes.get("/v1/instances/{id}/session/{session_id}", this::get);
        routes.delete("/v1/instances/{id}/session/{session_id}", this::delete);
        routes.post("/v1/instances/{id}/session/{session_id}/reset", this::reset);
        routes.get("/v1/instances/{id}/usage", this::usage);
    }

    void list(Context ctx) {
        OptionalInt limit = ctx.queryParam("limit") == null ? OptionalInt.empty() : OptionalInt.of(limit(ctx.queryParam("limit")));
        SessionPage page = sessions.list(BearerAuthentication.of(ctx), instanceId(ctx), Optional.ofNullable(ctx.queryParam("prefix")),
                Optional.ofNullable(ctx.queryParam("after")), limit);
        ObjectNode answer = json.createObjectNode();
        ArrayNode items = answer.putArray("sessions");
        page.sessions().forEach(session -> items.add(session(session)));
        answer.put("next_cursor", page.nextCursor().orElse(null));
        ctx.json(answer);
    }

    void get(Context ctx) {
        ctx.json(session(sessions.get(BearerAuthentication.of(ctx), instanceId(ctx), sessionId(ctx))));
    }

    void reset(Context ctx) {
        ctx.json(session(sessions.reset(BearerAuthentication.of(ctx), instanceId(ctx), sessionId(ctx))));
    }

    void delete(Context ctx) {
        sessions.delete(BearerAuthentication.of(ctx), instanceId(ctx), sessionId(ctx));
        ctx.status(204);
    }

    void usage(Context ctx) {
        boolean daily = daily(ctx.queryParam("interval"));
        Optional<Instant> to = Optional.ofNullable(ctx.queryParam("to")).map(text -> instant("to", text));
        Optional<Instant> from = Optional.ofNullable(ctx.queryParam("from")).map(text -> instant("from", text));
        UsageWindow window = sessions.usageWindow(from, to);
        InstanceId instanceId = instanceId(ctx);
        // The series first: a window too long for it is refused before anything else is read.
        Optional<List<DayUsage>> days = daily ? Optional.of(sessions.usageByDay(BearerAuthentication.of(ctx), instanceId, window.from(),
                window.to())) : Optional.empty();
        UsageReport report = sessions.usage(BearerAuthentication.of(ctx), instanceId, window.from(), window.to());
        ObjectNode answer = json.createObjectNode().put("instance_id", instanceId.toString()).put("from", window.from().toString())
                .put("to", window.to().toString());
        usage(answer, report);
        model(answer.putObject("model"), modelUsage.modelUsage(BearerAuthentication.of(ctx), instanceId, window.from(), window.to()));
        days.ifPresent(series -> series(answer.putArray("series"), series));
        ctx.json(answer);
    }

    /** Whether a daily series was asked for: {@code interval} absent (no series) or {@code day}, the one interval there is. */
    private static boolean daily(String interval) {
        if (interval == null) {
            return false;
        }
        if (!interval.equals("day")) {
            throw ChowderException.invalidRequest("interval must be day (the only interval there is), or left out for totals only.");
        }
        return true;
    }

    private static void series(ArrayNode series, List<DayUsage> days) {
        days.forEach(day -> usage(series.addObject().put("from", day.day().from().toString()).put("to", day.day().to().toString()),
                day.usage()));
    }

    /** Turns and tokens of a report, in total and by_key. */
    private static void usage(ObjectNode node, UsageReport report) {
        counts(node, report.turns(), report.usage());
        ArrayNode byKey = node.putArray("by_key");
        report.byKey().forEach(key -> counts(byKey.addObject().put("key_id", key.keyId().toString()), key.turns(), key.usage()));
    }

    /** The model calls of the instance's gateway through Chowder (provisioned instances), in total and per provider. */
    private static void model(ObjectNode node, List<ProviderUsage> byProvider) {
        long requests = byProvider.stream().mapToLong(ProviderUsage::requests).sum();
        ModelTokens total = byProvider.stream().map(ProviderUsage::tokens).reduce(ModelTokens.NONE, ModelTokens::plus);
        modelCounts(node, requests, total);
        ArrayNode providers = node.putArray("by_provider");
        byProvider.forEach(usage -> modelCounts(providers.addObject().put("provider", usage.provider().value()), usage.requests(), usage.tokens()));
    }

    private static ObjectNode modelCounts(ObjectNode node, long requests, ModelTokens tokens) {
        return node.put("requests", requests).put("input_tokens", tokens.inputTokens()).put("output_tokens", tokens.outputTokens())
                .put("cached_input_tokens", tokens.cachedInputTokens()).put("total_tokens", tokens.totalTokens());
    }

    private ObjectNode session(SessionRecord session) {
        ObjectNode node = json.createObjectNode()
                .put("session_id", session.id().value())
                .put("instance_id", session.instanceId().toString())
                .put("generation", session.generation())
                .put("created_at", session.createdAt().toString())
                .put("last_used_at", session.lastUsedAt().toString());
        return counts(node, session.turns(), session.usage());
    }

    private static ObjectNode counts(ObjectNode node, long turns, TokenUsage usage) {
        return node.put("turns", turns).put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens())
                .put("total_tokens", usage.totalTokens());
    }

    private static InstanceId instanceId(Context ctx) {
        return InstanceId.parse(ctx.pathParam("id"));
    }

    private static SessionId sessionId(Context ctx) {
        return SessionIdSegment.fromRequestPath(ctx.path());
    }

    private static int limit(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ChowderException.invalidRequest("limit must be a number from 1 to " + ManageSessionsUseCase.MAX_PAGE_SIZE + ".");
        }
    }

    private static Instant instant(String name, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ChowderException.invalidRequest(name + " must be an ISO 8601 timestamp with an offset, e.g. 2026-11-01T00:00:00Z.");
        }
    }
}
