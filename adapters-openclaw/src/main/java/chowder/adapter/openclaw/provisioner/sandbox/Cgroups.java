package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cgroup controllers that enforce an instance's memory, process and CPU limits: each instance gets a cgroup of
 * its own, below Chowder's own (so that the limits the host puts on Chowder still hold), and its process tree is put
 * there before the sandbox starts. An instance's cgroup is inside its organization's ({@code chowder/org-<id>/<instance>}):
 * the kernel shares CPU time out between sibling cgroups by weight, and every organization's has the same, so under
 * contention each organization gets an equal share however many instances it runs; the organization's cgroup also
 * bounds the memory of all its instances together. Either cgroup v1 (one hierarchy per controller, as on hosts without
 * systemd) or the unified v2 hierarchy; {@link #NONE} where neither offers all three controllers to Chowder.
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
        Cell create(String group, String name, SandboxConfig limits) {
            return Cell.NONE;
        }

        @Override
        Optional<Cell> existing(String name) {
            return Optional.empty();
        }

        @Override
        Optional<Cell> existing(String group, String name) {
            return Optional.empty();
        }
    };

    static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    static final long CPU_PERIOD_MICROS = 100_000;
    static final String PARENT = "chowder";
    // Up to a second: a cgroup's removal is taken down by the kernel in milliseconds.
    private static final int GROUP_REMOVAL_ATTEMPTS = 100;
    private static final Duration GROUP_REMOVAL_PAUSE = Duration.ofMillis(10);

    /** How the controllers are shown in Chowder's startup line. */
    abstract String describe();

    /** Creates (or takes over) the cgroup {@code name} directly below Chowder's (a trial sandbox's) and writes its limits. */
    abstract Cell create(String name, SandboxConfig limits) throws IOException;

    /**
     * Creates (or takes over) the instance's cgroup {@code name} inside its organization's cgroup {@code group}, and
     * writes the limits of both: the organization's memory bound ({@link SandboxConfig#memoryPerOrganizationBytes}) is
     * written again at each start, so that a changed setting holds from the next one.
     */
    abstract Cell create(String group, String name, SandboxConfig limits) throws IOException;

    /** The cgroup {@code name} directly below Chowder's if it exists (a leftover), without changing it. */
    abstract Optional<Cell> existing(String name);

    /** The instance's cgroup {@code name} inside its organization's {@code group} if it exists, without changing it. */
    abstract Optional<Cell> existing(String group, String name);

    /** The name of an organization's cgroup, which holds the cgroups of its instances. */
    static String group(String organization) {
        return "org-" + organization;
    }

    /** The names of the cgroups below Chowder's that start with {@code prefix}. */
    List<String> names(String prefix) {
        return List.of();
    }


    /**
     * Removes an organization's cgroup (one directory per hierarchy) after one of its instances' went, unless another
     * instance's is inside. Under the lock {@link #create(String, String, SandboxConfig)} takes, so that it never goes
     * from below an instance being created. Just after a child's removal the kernel may still count it for a moment (it
     * finishes taking a cgroup down asynchronously) and refuse: tried again for a while, the lock let go in between.
     */
    final void removeGroup(List<Path> directories) {
        for (int attempt = 0; attempt < GROUP_REMOVAL_ATTEMPTS; attempt++) {
            synchronized (this) {
                if (directories.stream().anyMatch(CgroupFiles::hasChildren)) {
                    return;
                }
                directories.forEach(CgroupFiles::removeDirectory);
                if (directories.stream().noneMatch(Files::exists)) {
                    return;
                }
            }
            try {
                Thread.sleep(GROUP_REMOVAL_PAUSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
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

        /** How many times the kernel killed a process of the cgroup for exceeding its memory limit, or its organization's. */
        long oomKills();

        /** Whether the memory of the instance's organization's cgroup ever reached its bound. */
        default boolean groupMemoryReached() {
            return false;
        }

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
