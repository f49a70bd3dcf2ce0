package chowder.adapter.persistence;

import static chowder.application.port.out.contract.SkillSettingsSamples.weather;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.LimitSettingsPort;
import chowder.application.port.out.LoadApiKeyPort;
import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.ModelUsagePort;
import chowder.application.port.out.SaveApiKeyPort;
import chowder.application.port.out.SaveInstancePort;
import chowder.application.port.out.SessionStorePort;
import chowder.application.port.out.SkillSettingsPort;
import chowder.application.service.KeyLimits;
import chowder.domain.ApiKey;
import chowder.domain.ApiKeyKind;
import chowder.domain.ApiKeySecret;
import chowder.domain.Channel;
import chowder.domain.ChannelSettings;
import chowder.domain.Instance;
import chowder.domain.KeyScope;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import chowder.domain.Organization;
import chowder.domain.Permission;
import chowder.domain.SessionId;
import chowder.domain.SessionLimitRule;
import chowder.domain.SessionLimits;
import chowder.domain.SessionRecord;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Registering and deleting instances in a loop leaves no rows behind: a deleted instance that never served a turn nor
 * made a model call is deleted, with everything that refers to it, when its organization next registers one. Both
 * purges (this one and the keys') know every table that refers to what they delete.
 */
abstract class DeletedInstancePurgeTests extends DatabaseTest {
    @Test
    void aDeletedInstanceThatWasNeverUsedGoesWithEverythingReferringToItWhenItsOrganizationRegistersAnother() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        Instance unused = stored(acme, "unused", "t");
        ApiKey granted = ApiKey.issue(acme.id(), "granted", ApiKeySecret.generate(ApiKeyKind.SCOPED, RANDOM),
                new KeyScope(Map.of(unused.id(), Set.of(Permission.READ)), Set.of(), Optional.empty()), Optional.empty(), now);
        assertThat(injector.getInstance(SaveApiKeyPort.class).insertWithinLimit(granted, KeyLimits.DEFAULT_MAX_PER_ORGANIZATION)).isTrue();
        injector.getInstance(SkillSettingsPort.class).save(unused.id(), "weather", weather());
        injector.getInstance(ChannelSettingsPort.class).save(unused.id(), Channel.TELEGRAM, new ChannelSettings(true, Map.of("token", "1:x")));
        injector.getInstance(LimitSettingsPort.class).saveSessionLimits(acme.id(), unused.id(),
                new SessionLimits(List.of(new SessionLimitRule("", limits(null, null, 5)))));
        Instance chatted = stored(acme, "chatted", "t");
        injector.getInstance(SessionStorePort.class).insertIfAbsent(SessionRecord.firstUse(chatted.id(), SessionId.MAIN, now));
        Instance called = stored(acme, "called a model", "t");
        injector.getInstance(ModelUsagePort.class).add(Map.of(
                new ModelUsagePort.UsageHour(acme.id(), called.id(), ModelProviderName.ANTHROPIC, now.truncatedTo(ChronoUnit.HOURS)),
                new ModelUsagePort.Calls(1, new ModelTokens(10, 5, 0))));
        Instance live = stored(acme, "live", "t");
        Instance foreign = stored(globex, "foreign", "t");
        for (Instance instance : List.of(unused, chatted, called, foreign)) {
            terminate(instance);
        }
        LoadInstancePort load = injector.getInstance(LoadInstancePort.class);
        SaveInstancePort save = injector.getInstance(SaveInstancePort.class);
        assertThat(load.findById(unused.id())).as("nothing happens at the deletion itself").isPresent();
        Instant soon = now.plus(JdbiInstanceRepository.PURGE_AFTER);
        assertThat(save.insertWithinLimit(instance(acme, "soon", soon, "t"), 0)).isTrue();
        assertThat(load.findById(unused.id())).as("deleted less than PURGE_AFTER before").isPresent();

        assertThat(save.insertWithinLimit(instance(acme, "next", soon.plusSeconds(2), "t"), 0)).isTrue();

        assertThat(load.findById(unused.id())).isEmpty();
        for (String table : JdbiInstanceRepository.TABLES_REFERRING_TO_INSTANCES) {
            assertThat(rowsOf(table, unused)).as(table).isZero();
        }
        assertThat(injector.getInstance(LoadApiKeyPort.class).findById(granted.id())).as("the key stays, without the grant")
                .hasValueSatisfying(key -> assertThat(key.scope().instances()).isEmpty());
        assertThat(load.findById(chatted.id())).as("it served a turn: usage reports name it").isPresent();
        assertThat(load.findById(called.id())).as("it made a model call").isPresent();
        assertThat(load.findById(live.id())).isPresent();
        assertThat(load.findById(foreign.id())).as("another organization's deleted instance waits for its own").isPresent();
        assertThat(load.listByOrganization(acme.id())).extracting(Instance::name)
                .containsExactlyInAnyOrder("next", "soon", "live", "called a model", "chatted");
    }

    @Test
    void thePurgesKnowEveryTableThatRefersToWhatTheyDelete() throws Exception {
        List<String> toInstances = new ArrayList<>(JdbiInstanceRepository.TABLES_REFERRING_TO_INSTANCES);
        toInstances.add("sessions");
        assertThat(tablesReferringTo("instances")).as("a new table referring to instances must be purged with them")
                .containsExactlyInAnyOrderElementsOf(toInstances);
        assertThat(tablesReferringTo("api_keys")).as("JdbiApiKeyRepository.insertWithinLimit deletes a spent key's grants and limits")
                .containsExactlyInAnyOrder("api_key_instances", "key_limits");
    }

    private Set<String> tablesReferringTo(String table) throws Exception {
        Set<String> referring = new HashSet<>();
        try (Connection connection = jdbi().open().getConnection()) {
            DatabaseMetaData metadata = connection.getMetaData();
            for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
                try (ResultSet keys = metadata.getExportedKeys(connection.getCatalog(), connection.getSchema(), name)) {
                    while (keys.next()) {
                        referring.add(keys.getString("FKTABLE_NAME").toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        return referring;
    }

    private void terminate(Instance instance) {
        Instance current = injector.getInstance(LoadInstancePort.class).findById(instance.id()).orElseThrow();
        assertThat(injector.getInstance(SaveInstancePort.class).updateIfUnchanged(current.terminate(now.plusSeconds(1)), current)).isTrue();
    }

    private long rowsOf(String table, Instance instance) {
        return jdbi().withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM " + table + " WHERE instance_id = :id")
                .bind("id", instance.id().value()).mapTo(Long.class).one());
    }
}
