package chowder.application.port.out;

import static java.util.Objects.requireNonNull;

import chowder.domain.SkillSlug;
import java.util.List;
import java.util.Optional;

/** Where skills are installed from: the operator's catalog, and whether ClawHub may be asked for a slug it lacks. */
public interface SkillCatalogPort {
    /** The catalog's skill of that slug, its files read whole (the catalog's limits hold). */
    Optional<SkillPackage> find(SkillSlug slug);

    /** Whether a slug the catalog lacks may be installed from ClawHub ({@code CHOWDER_SKILLS_CLAWHUB}). */
    boolean clawHubAllowed();

    /** A skill's files, paths relative to its directory ({@code SKILL.md}, {@code scripts/run.sh}). */
    record SkillPackage(SkillSlug slug, List<SkillFile> files) {
        public SkillPackage {
            requireNonNull(slug, "slug is null");
            files = List.copyOf(files);
        }
    }

    record SkillFile(String path, byte[] content, boolean executable) {
        public SkillFile {
            requireNonNull(path, "path is null");
            requireNonNull(content, "content is null");
        }
    }

    /** No catalog and no ClawHub: nothing can be installed. */
    SkillCatalogPort NONE = new SkillCatalogPort() {
        @Override
        public Optional<SkillPackage> find(SkillSlug slug) {
            return Optional.empty();
        }

        @Override
        public boolean clawHubAllowed() {
            return false;
        }
    };
}
