package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    static final long CPU_PERIOD_MICROS = 100_000;
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
                return new CgroupsV1(v1);
            }
            if (unified != null) {
                return new CgroupsV2(unified);
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

    static long cpuQuotaMicros(SandboxConfig limits) {
        return Math.max(1000, Math.round(limits.cpus() * CPU_PERIOD_MICROS));
    }
}
