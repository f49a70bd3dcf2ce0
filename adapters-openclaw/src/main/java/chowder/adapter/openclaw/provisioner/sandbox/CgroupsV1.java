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
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hierarchy per controller, each instance's cgroup at {@code <Chowder's cgroup>/chowder/org-<id>/<instance>} in each
 * (a trial's at {@code chowder/<name>}).
 */
final class CgroupsV1 extends Cgroups {
    private static final Logger log = LoggerFactory.getLogger(CgroupsV1.class);
    // Any limit from here up is the kernel's "none" (2^63 rounded down to a page), not one Chowder sets.
    private static final long UNLIMITED_FROM = 1L << 62;
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
        // Under the organization's lock, as remove() is: a group is never removed from below a new instance.
        ReentrantLock lock = lockOf(group);
        lock.lock();
        try {
            Path memory = directory("memory", Path.of(group));
            Path pids = directory("pids", Path.of(group));
            directory("cpu", Path.of(group));
            // The cpu controller's weight is left at the kernel's default, the same for every organization.
            chargeChildren(memory);
            writeGroupMemoryLimit(memory, limits.perOrganization().memoryBytes());
            int processes = limits.perOrganization().maxProcesses();
            write(pids.resolve("pids.max"), processes > 0 ? Integer.toString(processes) : "max");
            return createAt(Path.of(group, name), limits, group);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes the memory its children use count against a group's limit: the kernel's default since 5.11 (and the only
     * choice there), not before. Settable only while the group has no child; one that stays off is said in a warning.
     */
    private static void chargeChildren(Path memory) {
        Path hierarchy = memory.resolve("memory.use_hierarchy");
        if (!Files.exists(hierarchy) || counter(hierarchy) == 1) {
            return;
        }
        try {
            write(hierarchy, "1");
        } catch (IOException refused) {
            // said below
        }
        if (counter(hierarchy) != 1) {
            log.warn("The memory of the sandboxes in {} does not count against its bound (memory.use_hierarchy is 0 and cannot be "
                    + "set): CHOWDER_SANDBOX_MEMORY_PER_ORG is NOT enforced on this host", memory);
        }
    }

    /**
     * Sets an organization's memory bound ({@link #writeMemoryLimit}: never lifted in between, as other instances of it
     * run under it). A bound below what the organization uses now is refused once the kernel cannot reclaim enough: the
     * old one stays until the next start, and the start goes on. Its peak is reset with it, so that only a peak under
     * this bound says it was reached.
     */
    private static void writeGroupMemoryLimit(Path memory, long bytes) {
        // The kernel shows "no limit" as the largest multiple of the page size.
        long target = bytes > 0 ? bytes : Long.MAX_VALUE;
        Path limit = memory.resolve("memory.limit_in_bytes");
        Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
        if (same(counter(limit), target) && (!Files.exists(memsw) || same(counter(memsw), target))) {
            return;
        }
        try {
            writeMemoryLimit(memory, bytes);
            resetPeak(memory);
        } catch (IOException refused) {
            log.warn("Cannot set the memory bound of {} to {} bytes ({}): its bound stays {} bytes until a next start",
                    memory.getFileName(), bytes > 0 ? bytes : "no limit", refused.getMessage(), counter(limit));
        }
    }

    private static void resetPeak(Path memory) {
        try {
            write(memory.resolve("memory.max_usage_in_bytes"), "0");
        } catch (IOException notResettable) {
            // the peak then spans the earlier bound too
        }
    }

    private static boolean same(long shown, long target) {
        return target == Long.MAX_VALUE ? shown >= UNLIMITED_FROM : shown == target;
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

    /**
     * Memory and memory + swap limited to {@code bytes}, or not at all when it is 0. Memory + swap: without it, a tree at
     * its limit would be swapped out instead of stopped. Never lifted in between, as the cgroup may hold processes (an
     * organization's does): the kernel keeps memory <= memory + swap at every step, so a raise writes memory + swap
     * first and a lowering memory first. Lowered, memory alone may fit by pushing pages to swap while memory + swap
     * cannot: memory is then set back (always allowed, memory + swap still being at least the old value) before the
     * refusal is thrown.
     */
    private static void writeMemoryLimit(Path memory, long bytes) throws IOException {
        String value = bytes > 0 ? Long.toString(bytes) : "-1";
        Path limit = memory.resolve("memory.limit_in_bytes");
        Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
        boolean swap = Files.exists(memsw);
        long current = counter(limit);
        if ((bytes > 0 ? bytes : Long.MAX_VALUE) > current) {
            if (swap) {
                write(memsw, value);
            }
            write(limit, value);
            return;
        }
        write(limit, value);
        if (swap) {
            try {
                write(memsw, value);
            } catch (IOException refused) {
                write(limit, Long.toString(current));
                throw refused;
            }
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
                CgroupsV1.this.remove(directories, group, group == null ? List.of() : directories.stream().map(Path::getParent).toList());
            }
        };
    }

    private Path directory(String controller, Path relative) throws IOException {
        Path directory = ownCgroups.get(controller).resolve(PARENT).resolve(relative);
        Files.createDirectories(directory);
        return directory;
    }
}
