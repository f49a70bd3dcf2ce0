package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.out.SkillCatalogPort.SkillFile;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.SkillSlug;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySkillCatalogTest {
    @TempDir
    Path catalog;
    @TempDir
    Path elsewhere;

    @Test
    void aSkillIsItsRegularFilesWithSkillMdLastAndExecutablesMarked() throws Exception {
        Path skill = Files.createDirectories(catalog.resolve("weather/scripts"));
        Files.writeString(catalog.resolve("weather/SKILL.md"), "---\nname: weather\n---\n", UTF_8);
        Files.writeString(skill.resolve("run.sh"), "#!/bin/sh\n", UTF_8);
        Files.setPosixFilePermissions(skill.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(Files.createDirectories(catalog.resolve("weather/.clawhub")).resolve("origin.json"), "{}", UTF_8);

        SkillPackage found = catalog(8 * 1024).find(new SkillSlug("weather")).orElseThrow();

        assertThat(found.files()).extracting(SkillFile::path).containsExactly("scripts/run.sh", "SKILL.md");
        assertThat(found.files()).extracting(SkillFile::executable).containsExactly(true, false);
        assertThat(new String(found.files().getLast().content(), UTF_8)).startsWith("---");
        assertThat(catalog(1024).find(new SkillSlug("rain"))).isEmpty();
        assertThat(new DirectorySkillCatalog(SkillsConfig.NONE).find(new SkillSlug("weather"))).isEmpty();
    }

    @Test
    void aLinkOrAnOversizedSkillIsRefusedSoNothingOutsideTheCatalogIsCopied() throws Exception {
        Files.writeString(elsewhere.resolve("master.key"), "not for tenants", UTF_8);
        Files.createDirectories(catalog.resolve("leaky"));
        Files.writeString(catalog.resolve("leaky/SKILL.md"), "---\nname: leaky\n---\n", UTF_8);
        Files.createSymbolicLink(catalog.resolve("leaky/key"), elsewhere.resolve("master.key"));
        Files.createDirectories(catalog.resolve("big"));
        Files.writeString(catalog.resolve("big/SKILL.md"), "x".repeat(2048), UTF_8);
        Files.writeString(elsewhere.resolve("SKILL.md"), "---\nname: elsewhere\n---\n", UTF_8);
        Files.createSymbolicLink(catalog.resolve("linked"), elsewhere);

        assertThatThrownBy(() -> catalog(8 * 1024).find(new SkillSlug("leaky"))).isInstanceOfSatisfying(ChowderException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
            assertThat(e.getMessage()).contains("key is not a regular file", "CHOWDER_SKILLS_CATALOG").doesNotContain("not for tenants");
        });
        assertThatThrownBy(() -> catalog(1024).find(new SkillSlug("big"))).hasMessageContaining("CHOWDER_SKILLS_MAX_BYTES");
        // A skill directory that is itself a link is not in the catalog.
        assertThat(catalog(8 * 1024).find(new SkillSlug("linked"))).isEmpty();
    }

    private DirectorySkillCatalog catalog(long maxBytes) {
        return new DirectorySkillCatalog(new SkillsConfig(Optional.of(catalog), false, maxBytes));
    }
}
