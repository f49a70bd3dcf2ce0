package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One skill as an instance's gateway reports it ({@code skills.status}).
 *
 * @param name the skill's name (its {@code SKILL.md} frontmatter {@code name}), as the API addresses it
 * @param key where its settings live ({@code skills.entries.<key>}); the name unless the skill declares another
 * @param source OpenClaw's name for where it was loaded from: {@code openclaw-workspace}, {@code openclaw-bundled}, ...
 * @param path its {@code SKILL.md} as the agent sees it
 * @param installedAs the directory under the workspace's {@code skills/} that holds it, for a skill installed there
 *     (the only ones that can be removed); empty for bundled and other skills
 * @param ready whether the agent is offered it: enabled, allowed, and nothing it requires is missing
 * @param missingEnv environment variables it requires that are not set
 * @param primaryEnv the variable its {@code apiKey} setting fills, when it declares one
 */
public record SkillStatus(String name, String key, String description, String source, String path, Optional<String> installedAs,
        boolean ready, List<String> missingEnv, Optional<String> primaryEnv) {
    public SkillStatus {
        requireNonNull(name, "name is null");
        requireNonNull(key, "key is null");
        requireNonNull(description, "description is null");
        requireNonNull(source, "source is null");
        requireNonNull(path, "path is null");
        requireNonNull(installedAs, "installedAs is null");
        missingEnv = List.copyOf(missingEnv);
        requireNonNull(primaryEnv, "primaryEnv is null");
    }
}
