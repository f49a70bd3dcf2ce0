package chowder.adapter.openclaw.provisioner.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * What a Chowder that was killed left of its sandboxes: the sandboxes themselves died with it, but their network
 * namespaces stay until removed, and their cgroups until emptied.
 */
final class SandboxLeftovers {
    /** Longer than a trial ever takes. */
    private static final Duration STALE_TRIAL = Duration.ofMinutes(5);

    private SandboxLeftovers() {}

    /**
     * Removes what is left of an instance's sandbox: its cgroup inside whichever organization's holds it, or directly
     * below Chowder's, where Chowder put it before organizations had cgroups of their own.
     */
    static void sweep(SandboxTools tools, Cgroups cgroups, String instance) {
        NetworkCell.remove(tools, NetworkCell.namespaceName(instance));
        cgroups.existing(instance).ifPresent(SandboxLeftovers::remove);
        for (String group : cgroups.names(Cgroups.GROUP_PREFIX)) {
            cgroups.existing(group, instance).ifPresent(SandboxLeftovers::remove);
        }
    }

    /**
     * Removes what trial sandboxes of a Chowder killed while it checked left behind: those older than a trial ever takes,
     * so that another Chowder's trial on this host is left alone.
     */
    static void sweepTrials(SandboxTools tools, Cgroups cgroups) {
        try (Stream<Path> namespaces = Files.list(Path.of("/run/netns"))) {
            namespaces.filter(path -> path.getFileName().toString().startsWith(NetworkCell.namespaceName(SandboxTrial.PREFIX)) && stale(path))
                    .forEach(path -> NetworkCell.remove(tools, path.getFileName().toString()));
        } catch (IOException noNamedNamespaces) {
            // nothing to sweep
        }
        for (String name : cgroups.names(SandboxTrial.PREFIX)) {
            cgroups.existing(name).filter(leftover -> leftover.procsFiles().stream().allMatch(SandboxLeftovers::stale))
                    .ifPresent(SandboxLeftovers::remove);
        }
    }

    private static void remove(Cgroups.Cell cgroup) {
        SandboxCell.killAll(cgroup);
        cgroup.remove();
    }

    private static boolean stale(Path path) {
        try {
            return Files.getLastModifiedTime(path).toInstant().isBefore(Instant.now().minus(STALE_TRIAL));
        } catch (IOException gone) {
            return false;
        }
    }
}
