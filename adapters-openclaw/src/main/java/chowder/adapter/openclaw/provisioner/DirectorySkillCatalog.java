package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.SkillCatalogPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.SkillSlug;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The operator's skill catalog: a directory whose subdirectories are skills named by their slug, each with its
 * {@code SKILL.md}. Only regular files and directories are copied; a link, device or FIFO in a skill makes it
 * unusable (the operator is told why), so nothing outside the catalog is ever read into a tenant's workspace.
 */
final class DirectorySkillCatalog implements SkillCatalogPort {
    private final SkillsConfig config;

    DirectorySkillCatalog(SkillsConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public Optional<SkillPackage> find(SkillSlug slug) {
        if (config.catalog().isEmpty()) {
            return Optional.empty();
        }
        Path directory = config.catalog().get().resolve(slug.value());
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(directory.resolve("SKILL.md"), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        List<SkillFile> files = new ArrayList<>();
        long[] total = {0};
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    // ClawHub's install metadata is the registry's, not the operator's.
                    return dir.getFileName().toString().equals(".clawhub") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    String relative = directory.relativize(file).toString();
                    if (!attributes.isRegularFile()) {
                        throw unusable(slug, relative + " is not a regular file (links are not copied)");
                    }
                    total[0] += attributes.size();
                    if (files.size() >= SkillsConfig.MAX_FILES || total[0] > config.maxBytes()) {
                        throw unusable(slug, "it has more than " + SkillsConfig.MAX_FILES + " files or " + config.maxBytes()
                                + " bytes (CHOWDER_SKILLS_MAX_BYTES)");
                    }
                    boolean executable = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OWNER_EXECUTE);
                    files.add(new SkillFile(relative, Files.readAllBytes(file), executable));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read skill " + slug + " of the catalog " + config.catalog().get(), e);
        }
        // SKILL.md last: OpenClaw's watcher sees a skill once its SKILL.md appears, by then with all its files.
        files.sort(Comparator.comparing((SkillFile file) -> file.path().equals("SKILL.md")).thenComparing(SkillFile::path));
        return Optional.of(new SkillPackage(slug, files));
    }

    @Override
    public boolean clawHubAllowed() {
        return config.clawHub();
    }

    private static ChowderException unusable(SkillSlug slug, String why) {
        return new ChowderException(ErrorCode.VALIDATION_FAILED, "The catalog's skill " + slug + " cannot be installed: " + why
                + ". The operator must fix it in CHOWDER_SKILLS_CATALOG.");
    }
}
