package chowder.adapter.openclaw.provisioner.sandbox;

import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.childrenOf;
import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.counter;
import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.pids;
import static chowder.adapter.openclaw.provisioner.sandbox.CgroupFiles.write;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The unified hierarchy: instances' cgroups under {@code <root>/chowder/org-<id>/}, whose controllers Chowder enables (a
 * cgroup that holds processes, like Chowder's own, cannot hand controllers to children).
 */
final class CgroupsV2 extends Cgroups {
    private final Path root;

    CgroupsV2(Path root) {
        this.root = root;
    }

    @Override
    List<String> names(String prefix) {
        return childrenOf(root.resolve(PARENT), prefix);
    }

    @Override
    String describe() {
        return "cgroup v2 (memory, pids, cpu)";
    }

    @Override
    Cell create(String name, SandboxConfig limits) throws IOException {
        return createIn(chowdersOwn(), name, limits, false);
    }

    @Override
    Cell create(String group, String name, SandboxConfig limits) throws IOException {
        // Under the organization's lock, as remove() is: a group is never removed from below a new instance.
        ReentrantLock lock = lockOf(group);
        lock.lock();
        try {
            Path directory = chowdersOwn().resolve(group);
            Files.createDirectories(directory);
            enable(directory);
            // cpu.weight is left at the kernel's default, the same for every organization.
            long bytes = limits.perOrganization().memoryBytes();
            write(directory.resolve("memory.max"), bytes > 0 ? Long.toString(bytes) : "max");
            int processes = limits.perOrganization().maxProcesses();
            write(directory.resolve("pids.max"), processes > 0 ? Integer.toString(processes) : "max");
            return createIn(directory, name, limits, true);
        } finally {
            lock.unlock();
        }
    }

    /** {@code <root>/chowder}, made with the controllers enabled for what is below it. */
    private Path chowdersOwn() throws IOException {
        Path parent = root.resolve(PARENT);
        Files.createDirectories(parent);
        enable(root);
        enable(parent);
        return parent;
    }

    private Cell createIn(Path parent, String name, SandboxConfig limits, boolean inGroup) throws IOException {
        Path directory = parent.resolve(name);
        Files.createDirectories(directory);
        write(directory.resolve("memory.max"), Long.toString(limits.memoryBytes()));
        Path swap = directory.resolve("memory.swap.max");
        if (Files.exists(swap)) {
            write(swap, "0");
        }
        write(directory.resolve("pids.max"), Integer.toString(limits.maxProcesses()));
        write(directory.resolve("cpu.max"), cpuQuotaMicros(limits) + " " + CPU_PERIOD_MICROS);
        return cell(directory, inGroup);
    }

    @Override
    Optional<Cell> existing(String name) {
        Path directory = root.resolve(PARENT).resolve(name);
        return Files.isDirectory(directory) ? Optional.of(cell(directory, false)) : Optional.empty();
    }

    @Override
    Optional<Cell> existing(String group, String name) {
        Path directory = root.resolve(PARENT).resolve(group).resolve(name);
        return Files.isDirectory(directory) ? Optional.of(cell(directory, true)) : Optional.empty();
    }

    private Cell cell(Path directory, boolean inGroup) {
        return new Cell() {
            @Override
            public List<Path> procsFiles() {
                return List.of(directory.resolve("cgroup.procs"));
            }

            @Override
            public long oomKills() {
                return counter(directory.resolve("memory.events"), "oom_kill");
            }

            @Override
            public boolean groupMemoryReached() {
                // Its own events only: memory.events counts its children's reaching their own limits too.
                return inGroup && counter(directory.getParent().resolve("memory.events.local"), "max") > 0;
            }

            @Override
            public List<Long> processes() {
                return pids(directory.resolve("cgroup.procs"));
            }

            @Override
            public void remove() {
                Path parent = directory.getParent();
                CgroupsV2.this.remove(List.of(directory), inGroup ? parent.getFileName().toString() : null,
                        inGroup ? List.of(parent) : List.of());
            }
        };
    }

    private static void enable(Path cgroup) throws IOException {
        Path control = cgroup.resolve("cgroup.subtree_control");
        String enabled = Files.readString(control, UTF_8);
        for (String controller : CONTROLLERS) {
            if (!List.of(enabled.strip().split(" ")).contains(controller)) {
                write(control, "+" + controller);
            }
        }
    }
}
