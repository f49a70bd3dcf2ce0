package chowder.adapter.http;

import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.domain.Instance;
import chowder.domain.SkillSettings;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import java.util.List;
import java.util.Map;

/** The skills of a Chowder that provisions nothing: never reached, since only provisioned instances have skills. */
public final class NoInstanceSkills implements InstanceSkillsPort {
    @Override
    public List<SkillStatus> status(Instance instance) {
        throw unreachable();
    }

    @Override
    public String install(Instance instance, SkillPackage skill) {
        throw unreachable();
    }

    @Override
    public String installFromClawHub(Instance instance, String reference, SkillSlug slug) {
        throw unreachable();
    }

    @Override
    public void uninstall(Instance instance, String directory) {
        throw unreachable();
    }

    @Override
    public void configure(Instance instance, Map<String, SkillSettings> settings) {
        throw unreachable();
    }

    private static IllegalStateException unreachable() {
        return new IllegalStateException("no instance here is provisioned");
    }
}
