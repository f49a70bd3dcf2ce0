package chowder.application.port.out;

import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.domain.Instance;
import chowder.domain.SkillSettings;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import java.util.List;
import java.util.Map;

/**
 * The skills of a provisioned instance: its running gateway reports them, its workspace's {@code skills/} holds the
 * installed ones, and its config carries their settings (OpenClaw applies a config change without a restart).
 */
public interface InstanceSkillsPort {
    /** Every skill the gateway knows, as it reports them now; the gateway must be up. */
    List<SkillStatus> status(Instance instance);

    /** Writes the package into the workspace's {@code skills/<slug>}, replacing what was there; returns what was done. */
    String install(Instance instance, SkillPackage skill);

    /**
     * Has the gateway install {@code reference} from ClawHub into {@code skills/<slug>} (from inside its sandbox, through
     * its egress allowlist); a failure is a {@code SKILL_REGISTRY_FAILED} error naming the registry. Returns its output.
     */
    String installFromClawHub(Instance instance, String reference, SkillSlug slug);

    /** Removes the workspace's {@code skills/<directory>}. */
    void uninstall(Instance instance, String directory);

    /** Gives the running gateway these skill settings (all of the instance's, by key); a stopped one gets them at start. */
    void configure(Instance instance, Map<String, SkillSettings> settings);
}
