package chowder.adapter.openclaw.provisioner.sandbox;

import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.childrenOf;
import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.counter;
import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.pids;
import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One hierarchy per controller, each instance's cgroup at {@code <Chowder's cgroup>/chowder/<name>} in each. */
final class CgroupsV1 extends Cgroups {
    private final Map<String, Path> ownCgroups;

    CgroupsV1(Map<String, Path> ownCgroups) {
        this.ownCgroups = Map.copyOf(ownCgroups);
    }

    /** Chowder's own cgroup in the hierarchy of each controller. */
    Map<String, Path> ownCgroups() {
        return ownCgroups;
    }

    @Override
    List<String> names(String prefix) {
        return ownCgroups.values().stream().flatMap(own -> childrenOf(own.resolve(PARENT), prefix).stream()).distinct().toList();
    }

    @Override
    String describe() {
        return "cgroup v1 (memory, pids, cpu)";
    }

    @Override
    Cell create(String name, SandboxConfig limits) throws IOException {
        return createAt(Path.of(name), limits, null);
    }

    @Override
    Cell create(String group, String name, SandboxConfig limits) throws IOException {
        // Under the lock of removeGroup: a group is never removed from below a new instance.
        synchronized (this) {
            Path memory = directory("memory", Path.of(group));
            directory("pids", Path.of(group));
            directory("cpu", Path.of(group));
            // The cpu controller's weight is left at the kernel's default, the same for every organization.
            writeMemoryLimit(memory, limits.memoryPerOrganizationBytes());
            return createAt(Path.of(group, name), limits, group);
        }
    }

    private Cell createAt(Path relative, SandboxConfig limits, String group) throws IOException {
        Path memory = directory("memory", relative);
        Path pids = directory("pids", relative);
        Path cpu = directory("cpu", relative);
        writeMemoryLimit(memory, limits.memoryBytes());
        // Socket buffers are charged to cgroup v1's memory only when this limit is set (v2 always charges them).
        Path tcp = memory.resolve("memory.kmem.tcp.limit_in_bytes");
        if (Files.exists(tcp)) {
            try {
                write(tcp, Long.toString(limits.memoryBytes()));
            } catch (IOException refused) {
                // a kernel that no longer accounts TCP memory in v1
            }
        }
        write(pids.resolve("pids.max"), Integer.toString(limits.maxProcesses()));
        write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
        write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(cpuQuotaMicros(limits)));
        return cell(memory, pids, cpu, group);
    }

    /** Memory and memory + swap limited to {@code bytes}, or not at all when it is 0. */
    private static void writeMemoryLimit(Path memory, long bytes) throws IOException {
        String limit = bytes > 0 ? Long.toString(bytes) : "-1";
        // memory + swap: without it, a tree at its limit would be swapped out instead of stopped. The kernel keeps
        // memory <= memory + swap at every step, so the combined limit is lifted first and set last.
        Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
            write(memsw, "-1");
        }
        write(memory.resolve("memory.limit_in_bytes"), limit);
        if (Files.exists(memsw)) {
            write(memsw, limit);
        }
    }

    @Override
    Optional<Cell> existing(String name) {
        return existingAt(Path.of(name), null);
    }

    @Override
    Optional<Cell> existing(String group, String name) {
        return existingAt(Path.of(group, name), group);
    }

    private Optional<Cell> existingAt(Path relative, String group) {
        Path memory = ownCgroups.get("memory").resolve(PARENT).resolve(relative);
        Path pids = ownCgroups.get("pids").resolve(PARENT).resolve(relative);
        Path cpu = ownCgroups.get("cpu").resolve(PARENT).resolve(relative);
        return Files.isDirectory(memory) || Files.isDirectory(pids) || Files.isDirectory(cpu)
                ? Optional.of(cell(memory, pids, cpu, group)) : Optional.empty();
    }

    private Cell cell(Path memory, Path pids, Path cpu, String group) {
        List<Path> directories = List.of(memory, pids, cpu);
        return new Cell() {
            @Override
            public List<Path> procsFiles() {
                return directories.stream().map(directory -> directory.resolve("cgroup.procs")).toList();
            }

            @Override
            public long oomKills() {
                return counter(memory.resolve("memory.oom_control"), "oom_kill");
            }

            @Override
            public boolean groupMemoryReached() {
                // Its peak, not memory.failcnt: the kernel counts a failure in the cgroup that charged, not where the limit was.
                Path parent = memory.getParent();
                long limit = counter(parent.resolve("memory.limit_in_bytes"));
                return group != null && limit > 0 && counter(parent.resolve("memory.max_usage_in_bytes")) >= limit;
            }

            @Override
            public List<Long> processes() {
                return directories.stream().flatMap(directory -> pids(directory.resolve("cgroup.procs")).stream()).distinct().toList();
            }

            @Override
            public void remove() {
                directories.forEach(CgroupFiles::removeDirectory);
                if (group != null) {
                    removeGroup(directories.stream().map(Path::getParent).toList());
                }
            }
        };
    }

    private Path directory(String controller, Path relative) throws IOException {
        Path directory = ownCgroups.get(controller).resolve(PARENT).resolve(relative);
        Files.createDirectories(directory);
        return directory;
    }
}
