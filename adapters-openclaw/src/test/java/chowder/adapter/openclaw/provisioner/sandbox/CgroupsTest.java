package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which controllers are found where, from the kernel's own descriptions ({@code /proc/self/mountinfo} and
 * {@code /proc/self/cgroup}) as v1, v2 and container hosts write them; the limits a v2 cgroup gets. (v1, the kind of
 * this project's machines, is exercised for real by {@link SandboxLimitsTest}.)
 */
class CgroupsTest {
    private static final SandboxConfig LIMITS = new SandboxConfig(SandboxConfig.Mode.BUBBLEWRAP, SandboxConfig.DEFAULT_FIRST_UID,
            512L * 1024 * 1024, 100, 0.5, 1024, SandboxConfig.DEFAULT_MAX_CONNECTIONS_PER_PORT, List.of(), SandboxConfig.OrganizationLimits.NONE);

    private static final String ACME = "9c3f2a64-5b1e-4d2a-8f0e-1a2b3c4d5e6f";
    private static final String GLOBEX = "0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a";

    @TempDir
    Path directory;

    @Test
    void findsChowdersOwnV1CgroupInEachHierarchy() throws IOException {
        Path mountInfo = write("mountinfo", """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:7 - cgroup cgroup rw,cpu,cpuacct
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                39 31 0:36 /docker/abc /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """);
        Path cgroup = write("cgroup", """
                8:pids:/docker/abc/service
                4:memory:/process_api/22fc
                1:cpu,cpuacct:/
                0::/
                """);
        Cgroups found = Cgroups.detect(mountInfo, cgroup);
        assertThat(found.describe()).isEqualTo("cgroup v1 (memory, pids, cpu)");
        // Below Chowder's own cgroup, so that the host's limits on Chowder still hold; a container's mount shows only its subtree.
        assertThat(found).isInstanceOfSatisfying(CgroupsV1.class, v1 -> assertThat(v1.ownCgroups()).containsOnly(
                java.util.Map.entry("memory", Path.of("/sys/fs/cgroup/memory/process_api/22fc")),
                java.util.Map.entry("pids", Path.of("/sys/fs/cgroup/pids/service")),
                java.util.Map.entry("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"))));
    }

    @Test
    void missingControllersMeanNoLimitsRatherThanAnError() throws IOException {
        Path mountInfo = write("mountinfo", """
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """);
        Path cgroup = write("cgroup", "4:memory:/\n0::/\n");
        assertThat(Cgroups.detect(mountInfo, cgroup)).isSameAs(Cgroups.NONE);
        assertThat(Cgroups.detect(directory.resolve("absent"), cgroup)).isSameAs(Cgroups.NONE);
    }

    @Test
    void givesEachInstanceAV2CgroupWithItsLimitsInItsOrganizationsBelowADelegatedParent() throws IOException {
        Path root = Files.createDirectories(directory.resolve("unified"));
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n", UTF_8);
        Files.writeString(root.resolve("cgroup.subtree_control"), "memory pids\n", UTF_8);
        Files.createDirectories(root.resolve("chowder"));
        Files.writeString(root.resolve("chowder/cgroup.subtree_control"), "", UTF_8);
        Path mountInfo = write("mountinfo", "30 23 0:27 / " + root + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        Cgroups found = Cgroups.detect(mountInfo, write("cgroup", "0::/system.slice/chowder.service\n"));
        assertThat(found.describe()).isEqualTo("cgroup v2 (memory, pids, cpu)");

        // The organization's cgroup, as the kernel would make it (with its own subtree_control).
        Files.createDirectories(root.resolve("chowder/org-" + ACME));
        Files.writeString(root.resolve("chowder/org-" + ACME + "/cgroup.subtree_control"), "", UTF_8);
        SandboxConfig limits = new SandboxConfig(LIMITS.mode(), LIMITS.firstUid(), LIMITS.memoryBytes(), LIMITS.maxProcesses(), LIMITS.cpus(),
                LIMITS.maxOpenFiles(), LIMITS.maxConnectionsPerPort(), LIMITS.egressAllowed(), new SandboxConfig.OrganizationLimits(1L << 30, 1000));
        Cgroups.Cell cell = found.create(Cgroups.group(ACME), "instance-1", limits);
        Path group = root.resolve("chowder/org-" + ACME);
        Path own = group.resolve("instance-1");
        // The organization's memory bound on its cgroup, the controllers handed on to its instances', its CPU weight untouched.
        assertThat(group.resolve("memory.max")).hasContent("1073741824");
        assertThat(group.resolve("pids.max")).hasContent("1000");
        // Each controller written in turn (a plain file keeps the last; the kernel's would list the three).
        assertThat(group.resolve("cgroup.subtree_control")).hasContent("+cpu");
        assertThat(group.resolve("cpu.weight")).doesNotExist();
        assertThat(own.resolve("memory.max")).hasContent("536870912");
        assertThat(own.resolve("pids.max")).hasContent("100");
        assertThat(own.resolve("cpu.max")).hasContent("50000 100000");
        // Each controller the parent lacked was written to its subtree_control (the kernel would then list it).
        assertThat(root.resolve("cgroup.subtree_control")).hasContent("+cpu");
        assertThat(Files.readString(root.resolve("chowder/cgroup.subtree_control"), UTF_8)).startsWith("+");
        assertThat(cell.procsFiles()).containsExactly(own.resolve("cgroup.procs"));
        Files.writeString(own.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", UTF_8);
        assertThat(cell.oomKills()).isEqualTo(1);
        assertThat(cell.groupMemoryReached()).isFalse();
        // Its children reaching their own limits count in the group's memory.events, not in its local ones.
        Files.writeString(group.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", UTF_8);
        Files.writeString(group.resolve("memory.events.local"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", UTF_8);
        assertThat(cell.groupMemoryReached()).isFalse();
        Files.writeString(group.resolve("memory.events.local"), "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n", UTF_8);
        assertThat(cell.groupMemoryReached()).isTrue();
        assertThat(found.existing(Cgroups.group(ACME), "instance-1")).isPresent();
        assertThat(found.existing(Cgroups.group(GLOBEX), "instance-1")).isEmpty();

        // Without bounds the organization's memory and processes are "max"; a trial's cgroup stays directly below Chowder's.
        found.create(Cgroups.group(ACME), "instance-2", LIMITS);
        assertThat(group.resolve("memory.max")).hasContent("max");
        assertThat(group.resolve("pids.max")).hasContent("max");
        found.create("trial", LIMITS);
        // An organization's id is a UUID: nothing else becomes a cgroup's path.
        assertThatThrownBy(() -> Cgroups.group("../../escape")).isInstanceOf(IllegalArgumentException.class);
        assertThat(root.resolve("chowder/trial/memory.max")).hasContent("536870912");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(directory.resolve(name), content, UTF_8);
    }
}
