package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.InstanceId;
import chowder.domain.SkillSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each started gateway's process is given (token, model credential), for a command run beside it, and what must
 * not show in what its gateway reports: those, and its skills' secrets and channels' fields as they are now.
 */
final class GatewaySecrets {
    /** Shorter values would redact ordinary words. */
    private static final int MIN_REDACTED_LENGTH = 4;

    private final GatewaySettings settings;
    private final Map<InstanceId, Map<String, String>> given = new ConcurrentHashMap<>();

    GatewaySecrets(GatewaySettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    void give(InstanceId id, Map<String, String> secrets) {
        given.put(id, Map.copyOf(secrets));
    }

    Optional<Map<String, String>> given(InstanceId id) {
        return Optional.ofNullable(given.get(id));
    }

    void forget(InstanceId id) {
        given.remove(id);
    }

    /** {@code text} without the instance's secrets: what its gateway reports may quote them (a Bot API URL holds the token). */
    String redacted(InstanceId id, String text) {
        return redacted(id, List.copyOf(given.getOrDefault(id, Map.of()).values()), text);
    }

    /** {@code text} without {@code fixed} (what a launch was given) and the instance's current settings' secrets. */
    String redacted(InstanceId id, List<String> fixed, String text) {
        String redacted = text;
        for (String secret : redactable(id, fixed)) {
            redacted = redacted.replace(secret, "[redacted]");
        }
        return redacted;
    }

    /** The values worth redacting among {@code values}. */
    static List<String> redactable(List<String> values) {
        return values.stream().filter(value -> value.length() >= MIN_REDACTED_LENGTH).toList();
    }

    private List<String> redactable(InstanceId id, List<String> fixed) {
        List<String> values = new ArrayList<>(fixed);
        StoredSettings stored = settings.of(id);
        for (SkillSettings skill : stored.skills().values()) {
            if (skill.apiKey() != null) {
                values.add(skill.apiKey());
            }
            values.addAll(skill.env().values());
        }
        stored.channels().values().forEach(channel -> values.addAll(channel.fields().values()));
        return redactable(values);
    }
}
