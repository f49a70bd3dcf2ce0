package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The name a skill is installed by ({@code POST /v1/instances/{id}/skills/install} {@code slug}), which is also its
 * directory under the workspace's {@code skills/}: lower-case letters, digits, {@code -}, {@code _} and inner dots, at
 * most 64 characters; an owner-qualified ClawHub slug ({@code @owner/name}) installs as its last part.
 */
public record SkillSlug(String value) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9_-]|\\.(?!\\.)){0,62}[a-z0-9_-]?");
    private static final Pattern OWNER_QUALIFIED = Pattern.compile("@[a-z0-9][a-z0-9_-]{0,63}/(.+)");

    public SkillSlug {
        requireNonNull(value, "value is null");
        if (!NAME.matcher(value).matches() || value.endsWith(".")) {
            throw ChowderException.validationFailed("slug must be a skill name: lower-case letters, digits, '-', '_' and inner dots, "
                    + "at most 64 characters (or @owner/name for ClawHub).");
        }
    }

    /** Reads a client's slug; {@code @owner/name} becomes {@code name} (the caller keeps the raw text for ClawHub). */
    public static SkillSlug of(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ChowderException.validationFailed("slug is required: the name of the skill to install, such as weather-report.");
        }
        String slug = raw.strip().toLowerCase(java.util.Locale.ROOT);
        var qualified = OWNER_QUALIFIED.matcher(slug);
        return new SkillSlug(qualified.matches() ? qualified.group(1) : slug);
    }

    @Override
    public String toString() {
        return value;
    }
}
