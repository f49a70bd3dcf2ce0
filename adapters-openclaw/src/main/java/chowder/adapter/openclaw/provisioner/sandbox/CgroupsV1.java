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
        Path memory = directory("memory", name);
        Path pids = directory("pids", name);
        Path cpu = directory("cpu", name);
        // memory + swap: without it, a tree at its limit would be swapped out instead of stopped. The kernel keeps
        // memory <= memory + swap at every step, so the combined limit is lifted first and set last.
        Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
            write(memsw, "-1");
        }
        write(memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
        if (Files.exists(memsw)) {
            write(memsw, Long.toString(limits.memoryBytes()));
        }
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
        return cell(memory, pids, cpu);
    }

    @Override
    Optional<Cell> existing(String name) {
        Path memory = ownCgroups.get("memory").resolve(PARENT).resolve(name);
        Path pids = ownCgroups.get("pids").resolve(PARENT).resolve(name);
        Path cpu = ownCgroups.get("cpu").resolve(PARENT).resolve(name);
        return Files.isDirectory(memory) || Files.isDirectory(pids) || Files.isDirectory(cpu)
                ? Optional.of(cell(memory, pids, cpu)) : Optional.empty();
    }

    private static Cell cell(Path memory, Path pids, Path cpu) {
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
            public List<Long> processes() {
                return directories.stream().flatMap(directory -> pids(directory.resolve("cgroup.procs")).stream()).distinct().toList();
            }

            @Override
            public void remove() {
                directories.forEach(CgroupFiles::removeDirectory);
            }
        };
    }

    private Path directory(String controller, String name) throws IOException {
        Path directory = ownCgroups.get(controller).resolve(PARENT).resolve(name);
        Files.createDirectories(directory);
        return directory;
    }
}
