package chowder.application.service;

import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.SkillSettings;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A gateway with one bundled skill (key {@code weather-key}, not ready) and what was installed into it. */
final class StandInSkills implements InstanceSkillsPort {
    final List<String> installed = new ArrayList<>();
    final List<String> fromClawHub = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    final Map<String, List<String>> requires = new ConcurrentHashMap<>();
    Map<String, SkillSettings> configured = Map.of();
    volatile CountDownLatch held;
    volatile InstanceId stuckInstance;
    final AtomicInteger waiting = new AtomicInteger();

    @Override
    public List<SkillStatus> status(Instance instance) {
        if (instance.id().equals(stuckInstance) && held.getCount() > 0) {
            waiting.incrementAndGet();
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<SkillStatus> all = new ArrayList<>(List.of(new SkillStatus("weather", "weather-key", "Weather", "openclaw-bundled",
                "/opt/openclaw/skills/weather/SKILL.md", Optional.empty(), false, List.of(), Optional.empty())));
        for (String slug : installed) {
            List<String> missing = requires.getOrDefault(slug, List.of()).stream()
                    .filter(name -> !configured.getOrDefault(slug, SkillSettings.NONE).env().containsKey(name)).toList();
            all.add(new SkillStatus(slug, slug, "Installed", "openclaw-workspace", "/instance/workspace/skills/" + slug + "/SKILL.md",
                    Optional.of(slug), missing.isEmpty(), missing, missing.isEmpty() ? Optional.empty() : Optional.of(missing.getFirst())));
        }
        return all;
    }

    @Override
    public String install(Instance instance, SkillPackage skill) {
        if (!installed.contains(skill.slug().value())) {
            installed.add(skill.slug().value());
        }
        return "copied";
    }

    @Override
    public String installFromClawHub(Instance instance, String reference, SkillSlug slug) {
        fromClawHub.add(reference);
        installed.add(slug.value());
        return "fetched";
    }

    @Override
    public void uninstall(Instance instance, String directory) {
        removed.add(directory);
        installed.remove(directory);
    }

    @Override
    public void configure(Instance instance, Map<String, SkillSettings> settings) {
        configured = Map.copyOf(settings);
    }
}
