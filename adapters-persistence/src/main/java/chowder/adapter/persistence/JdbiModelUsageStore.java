package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ModelUsagePort;
import chowder.domain.InstanceId;
import chowder.domain.ModelProviderName;
import chowder.domain.ModelTokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Model usage per instance, provider and hour; a batch is added in one transaction. */
final class JdbiModelUsageStore implements ModelUsagePort {
    private final Jdbi jdbi;

    JdbiModelUsageStore(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
    }

    @Override
    public void add(Map<UsageHour, Calls> usage) {
        jdbi.useTransaction(handle -> {
            ModelUsageDao dao = handle.attach(ModelUsageDao.class);
            usage.forEach((hour, calls) -> {
                ModelTokens tokens = calls.tokens();
                ModelUsageDao.HourRow row = new ModelUsageDao.HourRow(hour.instance().value(), hour.provider().value(), hour.hourStart(),
                        hour.organization().value(), calls.requests(), tokens.inputTokens(), tokens.outputTokens(),
                        tokens.cachedInputTokens());
                if (dao.add(row) == 0) {
                    dao.insert(row);
                }
            });
        });
    }

    @Override
    public List<HourOfUsage> hoursOf(InstanceId instance, Instant from, Instant to) {
        return jdbi.withExtension(ModelUsageDao.class, dao -> dao.hoursOf(instance.value(), from, to)).stream()
                .map(row -> new HourOfUsage(new ModelProviderName(row.provider()), row.hourStart(), new Calls(row.requests(),
                        new ModelTokens(row.inputTokens(), row.outputTokens(), row.cachedInputTokens()))))
                .toList();
    }
}
