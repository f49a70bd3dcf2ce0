package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.Caller;
import chowder.domain.InstanceId;
import chowder.domain.SkillSettingsPatch;
import chowder.domain.SkillStatus;
import java.util.List;
import java.util.Map;

/** The skills of a provisioned instance (permission {@code configure}): list, install, change settings, remove. */
public interface ManageSkillsUseCase {
    /** Throws unless the caller may manage the instance's skills and it can have them; before a body is read. */
    void requireAccess(Caller caller, InstanceId instance);

    /** Installed and available skills; only those ready for the agent when {@code readyOnly}. */
    List<SkillStatus> list(Caller caller, InstanceId instance, boolean readyOnly);

    SkillStatus get(Caller caller, InstanceId instance, String name);

    /** Installs {@code slug} from the operator's catalog (or ClawHub when allowed) with environment values for it. */
    SkillInstallation install(Caller caller, InstanceId instance, String slug, Map<String, String> env);

    void update(Caller caller, InstanceId instance, String name, SkillSettingsPatch patch);

    /** Removes an installed skill and its settings; a bundled one cannot be removed (turn it off instead). */
    void remove(Caller caller, InstanceId instance, String name);

    /**
     * What an install did, as the hosted API answers it.
     *
     * @param source {@code catalog} or {@code clawhub}
     * @param envApplied the names (never values) of the environment values given
     * @param requiredEnv what the skill still needs before it is ready
     */
    record SkillInstallation(SkillStatus skill, String source, String output, List<String> envApplied, List<String> requiredEnv,
            String message) {
        public SkillInstallation {
            requireNonNull(skill, "skill is null");
            requireNonNull(source, "source is null");
            requireNonNull(output, "output is null");
            envApplied = List.copyOf(envApplied);
            requiredEnv = List.copyOf(requiredEnv);
            requireNonNull(message, "message is null");
        }

        public boolean missingEnv() {
            return !requiredEnv.isEmpty();
        }
    }
}
