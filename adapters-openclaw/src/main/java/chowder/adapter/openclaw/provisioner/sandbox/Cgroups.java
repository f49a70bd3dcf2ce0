package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cgroup controllers that enforce an instance's memory, process and CPU limits: each instance gets a cgroup of
 * its own, below Chowder's own (so that the limits the host puts on Chowder still hold), and its process tree is put
 * there before the sandbox starts. Either cgroup v1 (one hierarchy per controller, as on hosts without systemd) or
 * the unified v2 hierarchy; {@link #NONE} where neither offers all three controllers to Chowder.
 */
abstract class Cgroups {
    static final Cgroups NONE = new Cgroups() {
        @Override
        String describe() {
            return "none";
        }

        @Override
        Cell create(String name, SandboxConfig limits) {
            return Cell.NONE;
        }

        @Override
        Optional<Cell> existing(String name) {
            return Optional.empty();
        }
    };

    private static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    private static final long CPU_PERIOD_MICROS = 100_000;
    static final String PARENT = "chowder";

    /** How the controllers are shown in Chowder's startup line. */
    abstract String describe();

    /** Creates (or takes over) the instance's cgroup {@code name} and writes its limits. */
    abstract Cell create(String name, SandboxConfig limits) throws IOException;

    /** The instance's cgroup {@code name} if it exists (a leftover), without changing it. */
    abstract Optional<Cell> existing(String name);

    /** The names of the cgroups below Chowder's that start with {@code prefix}. */
    List<String> names(String prefix) {
        return List.of();
    }

    static List<String> childrenOf(Path parent, String prefix) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (var children = Files.list(parent)) {
            return children.filter(Files::isDirectory).map(child -> child.getFileName().toString())
                    .filter(name -> name.startsWith(prefix)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    boolean enforces() {
        return this != NONE;
    }

    /** One instance's cgroup. */
    interface Cell {
        Cell NONE = new Cell() {
            @Override
            public List<Path> procsFiles() {
                return List.of();
            }

            @Override
            public long oomKills() {
                return 0;
            }

            @Override
            public List<Long> processes() {
                return List.of();
            }

            @Override
            public void remove() {}
        };

        /** The {@code cgroup.procs} files a process writes its pid to, to enter the cgroup (one per hierarchy). */
        List<Path> procsFiles();

        /** How many times the kernel killed a process of the cgroup for exceeding its memory limit. */
        long oomKills();

        /** The pids still in the cgroup. */
        List<Long> processes();

        /** Removes the cgroup; it must hold no process. */
        void remove();
    }

    /** The controllers of this host as Chowder (whose cgroups {@code procSelfCgroup} lists) may use them. */
    static Cgroups detect(Path mountInfo, Path procSelfCgroup) {
        try {
            List<String[]> mounts = Files.readAllLines(mountInfo, UTF_8).stream().map(line -> line.split(" ")).toList();
            Map<String, String> ownPaths = new LinkedHashMap<>();
            for (String line : Files.readAllLines(procSelfCgroup, UTF_8)) {
                String[] parts = line.split(":", 3);
                if (parts.length == 3) {
                    for (String controller : parts[1].split(",")) {
                        ownPaths.put(controller, parts[2]);
                    }
                }
            }
            Map<String, Path> v1 = new LinkedHashMap<>();
            Path unified = null;
            for (String[] mount : mounts) {
                int separator = List.of(mount).indexOf("-");
                if (separator < 0 || separator + 3 >= mount.length) {
                    continue;
                }
                String type = mount[separator + 1];
                String mountRoot = mount[3];
                Path mountPoint = Path.of(mount[4]);
                if (type.equals("cgroup")) {
                    for (String option : mount[separator + 3].split(",")) {
                        if (CONTROLLERS.contains(option) && ownPaths.containsKey(option)) {
                            v1.put(option, mountPoint.resolve(relative(ownPaths.get(option), mountRoot)));
                        }
                    }
                } else if (type.equals("cgroup2") && Files.isRegularFile(mountPoint.resolve("cgroup.controllers"))) {
                    List<String> available = List.of(Files.readString(mountPoint.resolve("cgroup.controllers"), UTF_8).strip().split(" "));
                    if (available.containsAll(CONTROLLERS)) {
                        unified = mountPoint;
                    }
                }
            }
            if (v1.keySet().containsAll(CONTROLLERS)) {
                return new V1(v1);
            }
            if (unified != null) {
                return new V2(unified);
            }
        } catch (IOException e) {
            // no usable cgroups
        }
        return NONE;
    }

    /** Chowder's cgroup below the mount point, which in a container may show only a subtree ({@code mountRoot}). */
    private static String relative(String cgroupPath, String mountRoot) {
        String path = !mountRoot.equals("/") && cgroupPath.startsWith(mountRoot) ? cgroupPath.substring(mountRoot.length()) : cgroupPath;
        return path.startsWith("/") ? path.substring(1) : path;
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, UTF_8);
    }

    static List<Long> pids(Path procs) {
        try {
            List<Long> pids = new ArrayList<>();
            for (String line : Files.readAllLines(procs, UTF_8)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.strip()));
                }
            }
            return pids;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    static long counter(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, UTF_8)) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length == 2 && parts[0].equals(key)) {
                    return Long.parseLong(parts[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }

    static void removeDirectory(Path directory) {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // still busy for a moment after its last process exited; the next launch takes it over
        }
    }

    static long cpuQuotaMicros(SandboxConfig limits) {
        return Math.max(1000, Math.round(limits.cpus() * CPU_PERIOD_MICROS));
    }

    /** One hierarchy per controller, each instance's cgroup at {@code <Chowder's cgroup>/chowder/<name>} in each. */
    static final class V1 extends Cgroups {
        private final Map<String, Path> ownCgroups;

        V1(Map<String, Path> ownCgroups) {
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
                    directories.forEach(Cgroups::removeDirectory);
                }
            };
        }

        private Path directory(String controller, String name) throws IOException {
            Path directory = ownCgroups.get(controller).resolve(PARENT).resolve(name);
            Files.createDirectories(directory);
            return directory;
        }
    }

    /**
     * The unified hierarchy: instances' cgroups under {@code <root>/chowder/}, whose controllers Chowder enables (a
     * cgroup that holds processes, like Chowder's own, cannot hand controllers to children).
     */
    static final class V2 extends Cgroups {
        private final Path root;

        V2(Path root) {
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
            Path parent = root.resolve(PARENT);
            Files.createDirectories(parent);
            enable(root);
            enable(parent);
            Path directory = parent.resolve(name);
            Files.createDirectories(directory);
            write(directory.resolve("memory.max"), Long.toString(limits.memoryBytes()));
            Path swap = directory.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                write(swap, "0");
            }
            write(directory.resolve("pids.max"), Integer.toString(limits.maxProcesses()));
            write(directory.resolve("cpu.max"), cpuQuotaMicros(limits) + " " + CPU_PERIOD_MICROS);
            return cell(directory);
        }

        @Override
        Optional<Cell> existing(String name) {
            Path directory = root.resolve(PARENT).resolve(name);
            return Files.isDirectory(directory) ? Optional.of(cell(directory)) : Optional.empty();
        }

        private static Cell cell(Path directory) {
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
                public List<Long> processes() {
                    return pids(directory.resolve("cgroup.procs"));
                }

                @Override
                public void remove() {
                    removeDirectory(directory);
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
}
