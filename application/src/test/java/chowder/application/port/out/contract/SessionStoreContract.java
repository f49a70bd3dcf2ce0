package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.SessionStorePort;
import chowder.application.port.out.SessionStorePort.Activity;
import chowder.application.port.out.SessionStorePort.SessionCursor;
import chowder.application.port.out.SessionStorePort.SessionSelection;
import chowder.domain.ApiKeyId;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.KeyScope;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import chowder.domain.SessionRecord;
import chowder.domain.TokenUsage;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract of the session store: first record wins, activity adds up, pages newest first, generations guard writes. */
public abstract class SessionStoreContract extends StoreContract {
    @Test
    void sessionsAreRecordedOnceCountedInBatchesAndPagedNewestFirst() {
        Instance instance = stored(organization("Acme"), "bot", "t");
        SessionStorePort sessions = port(SessionStorePort.class);
        ApiKeyId key = ApiKeyId.random();
        List<String> ids = List.of("a%b", "a_b", "a!b", "ab", "b", "User-42", "😀 x");
        for (int i = 0; i < ids.size(); i++) {
            SessionRecord first = SessionRecord.firstUse(instance.id(), SessionId.of(ids.get(i)), now.plusSeconds(i));
            assertThat(sessions.insertIfAbsent(first)).isEqualTo(first);
            assertThat(sessions.insertIfAbsent(SessionRecord.firstUse(instance.id(), SessionId.of(ids.get(i)), now.plusSeconds(99))))
                    .as("the first record wins").isEqualTo(first);
        }
        sessions.addActivity(List.of(activity(instance, key, 2, new TokenUsage(100, 20), 60)));
        sessions.addActivity(List.of(activity(instance, key, 1, new TokenUsage(10, 2), 30)));
        SessionRecord ab = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        assertThat(ab.turns()).isEqualTo(3);
        assertThat(ab.usage()).isEqualTo(new TokenUsage(110, 22));
        assertThat(ab.lastUsedAt()).isEqualTo(now.plusSeconds(60));

        assertThat(allPages(sessions, instance.id(), everySession(), 3)).containsExactly("ab", "😀 x", "User-42", "b", "a!b", "a_b", "a%b");
        assertThat(sessions.list(instance.id(), withPrefix("a%"), Optional.empty(), 10)).extracting(s -> s.id().value()).containsExactly("a%b");
        assertThat(sessions.list(instance.id(), withPrefix("a_"), Optional.empty(), 10)).extracting(s -> s.id().value()).containsExactly("a_b");
        assertThat(sessions.list(instance.id(), withPrefix("a!"), Optional.empty(), 10)).extracting(s -> s.id().value()).containsExactly("a!b");

        SessionRecord staleRead = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        sessions.addActivity(List.of(activity(instance, key, 1, new TokenUsage(1, 1), 61)));
        assertThat(sessions.replaceIfGeneration(staleRead.reset(), 0)).isTrue();
        assertThat(sessions.find(instance.id(), SessionId.of("ab")).orElseThrow().turns()).as("a reset keeps counters written meanwhile")
                .isEqualTo(4);
        assertThat(sessions.replaceIfGeneration(staleRead.delete(), 0)).as("a stale delete loses").isFalse();
        SessionRecord current = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        assertThat(sessions.replaceIfGeneration(current.delete(), 1)).isTrue();
        assertThat(sessions.list(instance.id(), withPrefix("ab"), Optional.empty(), 10)).isEmpty();
        SessionRecord deleted = sessions.find(instance.id(), SessionId.of("ab")).orElseThrow();
        assertThat(sessions.replaceIfGeneration(deleted.revive(now.plusSeconds(70)), 2)).isTrue();
        assertThat(sessions.find(instance.id(), SessionId.of("ab")).orElseThrow()).satisfies(revived -> {
            assertThat(revived.turns()).isZero();
            assertThat(revived.generation()).isEqualTo(2);
            assertThat(revived.deleted()).isFalse();
        });

        var usage = sessions.usage(instance.id(), now.minusSeconds(7200), now.plusSeconds(7200));
        assertThat(usage.turns()).isEqualTo(4);
        assertThat(usage.byKey()).singleElement().satisfies(k -> assertThat(k.usage()).isEqualTo(new TokenUsage(111, 23)));
        assertThat(sessions.usage(instance.id(), now.plusSeconds(7200), now.plusSeconds(9000)).turns()).isZero();
    }

    @Test
    void aListingForAKeyBoundToSessionsReturnsOnlyItsSessionsPageByPage() {
        Instance instance = stored(organization("Acme"), "bot", "t");
        SessionStorePort sessions = port(SessionStorePort.class);
        List<String> ids = List.of("user-42/a", "user-42/b", "user-42/c", "user-420", "user-7/a", "user-7/b", "user-8", "other_%");
        for (int i = 0; i < ids.size(); i++) {
            sessions.insertIfAbsent(SessionRecord.firstUse(instance.id(), SessionId.of(ids.get(i)), now.plusSeconds(i)));
        }
        KeyScope bound = new KeyScope(Map.of(instance.id(), Set.of(Permission.READ)),
                Set.of(SessionId.of("user-7/a"), SessionId.of("user-42/b"), SessionId.of("never-used"), SessionId.of("other_%")),
                Optional.of("user-42/"));

        assertThat(allPages(sessions, instance.id(), SessionSelection.forListing(Optional.empty(), bound), 2))
                .containsExactly("other_%", "user-7/a", "user-42/c", "user-42/b", "user-42/a");
        assertThat(allPages(sessions, instance.id(), SessionSelection.forListing(Optional.of("user-"), bound), 1))
                .containsExactly("user-7/a", "user-42/c", "user-42/b", "user-42/a");
        assertThat(allPages(sessions, instance.id(), SessionSelection.forListing(Optional.of("user-42/c"), bound), 10))
                .containsExactly("user-42/c");
        assertThat(allPages(sessions, instance.id(), SessionSelection.forListing(Optional.of("user-7"), bound), 10))
                .containsExactly("user-7/a");
        KeyScope onlyIds = new KeyScope(Map.of(), Set.of(SessionId.of("user-8"), SessionId.of("user-42/a")), Optional.empty());
        assertThat(allPages(sessions, instance.id(), SessionSelection.forListing(Optional.empty(), onlyIds), 1))
                .containsExactly("user-8", "user-42/a");
        KeyScope nothingOwned = new KeyScope(Map.of(), Set.of(), Optional.of("nobody/"));
        assertThat(allPages(sessions, instance.id(), SessionSelection.forListing(Optional.empty(), nothingOwned), 1))
                .isEmpty();
    }

    /** Turns of session {@code ab} in the current hour, last used {@code lastUsedSecond} seconds after {@code now}. */
    private Activity activity(Instance instance, ApiKeyId key, long turns, TokenUsage usage, int lastUsedSecond) {
        return new Activity(instance.id(), SessionId.of("ab"), key, now.truncatedTo(ChronoUnit.HOURS), turns, usage,
                now.plusSeconds(lastUsedSecond));
    }

    /** The ids of every page, following the cursor until a short page; no page is longer than {@code limit}. */
    private static List<String> allPages(SessionStorePort sessions, InstanceId instance, SessionSelection selection, int limit) {
        List<String> seen = new ArrayList<>();
        Optional<SessionCursor> cursor = Optional.empty();
        while (true) {
            List<SessionRecord> page = sessions.list(instance, selection, cursor, limit);
            assertThat(page).hasSizeLessThanOrEqualTo(limit);
            page.forEach(session -> seen.add(session.id().value()));
            if (page.size() < limit) {
                return seen;
            }
            cursor = Optional.of(new SessionCursor(page.getLast().lastUsedAt(), page.getLast().id()));
        }
    }

    private static SessionSelection everySession() {
        return SessionSelection.forListing(Optional.empty(), KeyScope.UNRESTRICTED);
    }

    private static SessionSelection withPrefix(String prefix) {
        return SessionSelection.forListing(Optional.of(prefix), KeyScope.UNRESTRICTED);
    }
}
