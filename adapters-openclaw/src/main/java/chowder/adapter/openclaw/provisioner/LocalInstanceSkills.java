package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.GatewayRpc;
import chowder.adapter.openclaw.workspace.LocalWorkspaceFiles;
import chowder.application.port.out.InstanceSkillsPort;
import chowder.application.port.out.SkillCatalogPort.SkillFile;
import chowder.application.port.out.SkillCatalogPort.SkillPackage;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.SkillSettings;
import chowder.domain.SkillSlug;
import chowder.domain.SkillStatus;
import chowder.domain.WorkspacePath;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Skills of the gateways this Chowder provisions: the gateway reports them ({@code skills.status} over its WebSocket),
 * installed ones are files in the workspace's {@code skills/} (written beneath the workspace, never through a link the
 * agent made), and their settings go into the gateway's config ({@link LocalGatewayProvisioner#configureSkills}).
 */
final class LocalInstanceSkills implements InstanceSkillsPort {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(30);
    /** A registry download through the sandbox's egress proxy; OpenClaw's own install timeout is longer. */
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);
    private static final String SKILLS = "skills";
    private static final Duration WATCHER_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration WATCHER_POLL = Duration.ofMillis(200);

    private final GatewayRpc rpc;
    private final LocalWorkspaceFiles workspaces;
    private final Supplier<LocalGatewayProvisioner> provisioner;

    LocalInstanceSkills(GatewayRpc rpc, LocalWorkspaceFiles workspaces, Supplier<LocalGatewayProvisioner> provisioner) {
        this.rpc = requireNonNull(rpc, "rpc is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.provisioner = requireNonNull(provisioner, "provisioner is null");
    }

    @Override
    public List<SkillStatus> status(Instance instance) {
        JsonNode report = rpc.read(instance, "skills.status", JSON.createObjectNode(), STATUS_TIMEOUT);
        String installed = report.path("workspaceDir").asText() + "/" + SKILLS + "/";
        List<SkillStatus> skills = new ArrayList<>();
        for (JsonNode skill : report.path("skills")) {
            String name = skill.path("name").asText();
            String baseDir = skill.path("baseDir").asText();
            // The gateway is the tenant's: what it reports names a directory of ours only when it is one plain segment.
            Optional<String> directory = baseDir.startsWith(installed)
                    ? Optional.of(baseDir.substring(installed.length())).filter(LocalInstanceSkills::plainSegment) : Optional.empty();
            List<String> missingEnv = new ArrayList<>();
            skill.path("missing").path("env").forEach(variable -> missingEnv.add(variable.asText()));
            boolean ready = skill.path("eligible").asBoolean() && !skill.path("blockedByAgentFilter").asBoolean();
            skills.add(new SkillStatus(name, skill.path("skillKey").asText(name), skill.path("description").asText(""),
                    skill.path("source").asText("unknown"), skill.path("filePath").asText(""), directory, ready, missingEnv,
                    Optional.ofNullable(skill.path("primaryEnv").textValue())));
        }
        return skills;
    }

    private static boolean plainSegment(String name) {
        return !name.isEmpty() && name.indexOf('/') < 0 && WorkspacePath.isValid(SKILLS + "/" + name);
    }

    @Override
    public String install(Instance instance, SkillPackage skill) {
        WorkspacePath directory = new WorkspacePath(SKILLS + "/" + skill.slug().value());
        workspaces.deleteTree(instance.id(), directory);
        long bytes = 0;
        for (SkillFile file : skill.files()) {
            workspaces.write(instance.id(), new WorkspacePath(directory.value() + "/" + file.path()), new ByteArrayInputStream(file.content()),
                    file.executable());
            bytes += file.content().length;
        }
        awaitListed(instance, skill.slug().value(), true);
        return "Copied " + skill.files().size() + " files (" + bytes + " bytes) from the operator's skill catalog into "
                + directory.value() + ".";
    }

    @Override
    public String installFromClawHub(Instance instance, String reference, SkillSlug slug) {
        ObjectNode params = JSON.createObjectNode().put("source", "clawhub").put("slug", reference).put("force", true);
        GatewayRpc.Answer answer = rpc.answer(instance, "skills.install", params, INSTALL_TIMEOUT);
        if (answer.refusal().isPresent()) {
            throw new ChowderException(ErrorCode.SKILL_REGISTRY_FAILED, "ClawHub (https://clawhub.ai) install of " + reference
                    + " failed: " + answer.refusal().get() + " The gateway fetches it from inside its sandbox, so the registry must be "
                    + "in the egress allowlist (CHOWDER_SANDBOX_EGRESS_ALLOW=clawhub.ai:443).");
        }
        awaitListed(instance, slug.value(), true);
        JsonNode output = answer.payload().path("message");
        return output.isTextual() ? output.asText() : "Installed " + reference + " from ClawHub.";
    }

    @Override
    public void uninstall(Instance instance, String directory) {
        workspaces.deleteTree(instance.id(), new WorkspacePath(SKILLS + "/" + directory));
        awaitListed(instance, directory, false);
    }

    /**
     * Waits until the gateway's report shows the change of {@code skills/<directory>}: OpenClaw keeps its skill
     * snapshot until its watcher (250 ms debounce) sees the files, so an answer right after the write may predate
     * it. Gives up quietly after {@link #WATCHER_TIMEOUT}: the gateway will see the files at the agent's next turn.
     */
    private void awaitListed(Instance instance, String directory, boolean listed) {
        long deadline = System.nanoTime() + WATCHER_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean present = status(instance).stream().anyMatch(skill -> skill.installedAs().filter(directory::equals).isPresent());
            if (present == listed) {
                return;
            }
            try {
                Thread.sleep(WATCHER_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void configure(Instance instance, Map<String, SkillSettings> settings) {
        provisioner.get().configureSkills(instance.id(), settings);
    }
}
