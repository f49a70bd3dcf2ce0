package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where provisioned instances' skills come from: the operator's catalog directory ({@code CHOWDER_SKILLS_CATALOG}, one
 * subdirectory per slug), whether ClawHub may be asked for a slug the catalog lacks ({@code CHOWDER_SKILLS_CLAWHUB}), and
 * the largest skill the catalog copies ({@code CHOWDER_SKILLS_MAX_BYTES}; at most {@value #MAX_FILES} files).
 */
public record SkillsConfig(Optional<Path> catalog, boolean clawHub, long maxBytes) {
    public static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;
    /** As OpenClaw's own limit for a managed skill bundle. */
    public static final int MAX_FILES = 256;
    public static final SkillsConfig NONE = new SkillsConfig(Optional.empty(), false, DEFAULT_MAX_BYTES);

    public SkillsConfig {
        requireNonNull(catalog, "catalog is null");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("CHOWDER_SKILLS_MAX_BYTES must be positive");
        }
    }
}
