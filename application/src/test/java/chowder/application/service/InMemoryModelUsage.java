package chowder.application.service;

import chowder.application.port.out.ModelUsagePort;
import chowder.domain.InstanceId;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A fake of the model usage store: hours in a map. */
public final class InMemoryModelUsage implements ModelUsagePort {
    public final Map<UsageHour, Calls> hours = new ConcurrentHashMap<>();

    @Override
    public void add(Map<UsageHour, Calls> usage) {
        usage.forEach((hour, calls) -> hours.merge(hour, calls, Calls::plus));
    }

    @Override
    public List<HourOfUsage> hoursOf(InstanceId instance, Instant from, Instant to) {
        return hours.entrySet().stream()
                .filter(entry -> entry.getKey().instance().equals(instance))
                .filter(entry -> !entry.getKey().hourStart().isBefore(from) && entry.getKey().hourStart().isBefore(to))
                .map(entry -> new HourOfUsage(entry.getKey().provider(), entry.getKey().hourStart(), entry.getValue()))
                .sorted(Comparator.comparing(HourOfUsage::hourStart).thenComparing(HourOfUsage::provider))
                .toList();
    }
}
