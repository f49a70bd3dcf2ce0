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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The cgroup controllers that enforce an instance's memory, process and CPU limits: each instance gets a cgroup of
 * its own, below Chowder's own (so that the limits the host puts on Chowder still hold), and its process tree is put
 * there before the sandbox starts. An instance's cgroup is inside its organization's
 * ({@code chowder/org-<id>/<instance>}): the kernel shares CPU time out between sibling cgroups by weight, and every
 * organization's has the same, so under contention each organization gets an equal share however many instances it
 * runs; the organization's cgroup also bounds the memory and the processes of all its instances together. Either
 * cgroup v1 (one hierarchy per controller, as on hosts without systemd) or the unified v2 hierarchy; {@link #NONE}
 * where neither offers all three controllers to Chowder.
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
    static final String GROUP_PREFIX = "org-";
    private static final Pattern ORGANIZATION_ID = Pattern.compile("[0-9a-fA-F-]{1,64}");
    // Up to a second: the kernel takes a removed cgroup down in milliseconds.
    private static final int REMOVAL_ATTEMPTS = 100;
    private static final Duration REMOVAL_PAUSE = Duration.ofMillis(10);

    // One lock per organization's cgroup, made on first use and kept (one per organization that ever ran an instance).
    private final ConcurrentHashMap<String, ReentrantLock> groupLocks = new ConcurrentHashMap<>();

    /** How the controllers are shown in Chowder's startup line. */
    abstract String describe();

    /** Creates (or takes over) the cgroup {@code name} directly below Chowder's (a trial sandbox's) and writes its limits. */
    abstract Cell create(String name, SandboxConfig limits) throws IOException;

    /**
     * Creates (or takes over) the instance's cgroup {@code name} inside its organization's cgroup {@code group}, and
     * writes the limits of both: the organization's ({@link SandboxConfig#perOrganization}) are written again at each
     * start, so that a changed setting holds from the next one.
     */
    abstract Cell create(String group, String name, SandboxConfig limits) throws IOException;

    /** The cgroup {@code name} directly below Chowder's if it exists (a leftover), without changing it. */
    abstract Optional<Cell> existing(String name);

    /** The instance's cgroup {@code name} inside its organization's {@code group} if it exists, without changing it. */
    abstract Optional<Cell> existing(String group, String name);

    /** The name of an organization's cgroup, which holds the cgroups of its instances; an id is a UUID, never a path. */
    static String group(String organization) {
        if (!ORGANIZATION_ID.matcher(organization).matches()) {
            throw new IllegalArgumentException("not an organization id: " + organization);
        }
        return GROUP_PREFIX + organization;
    }

    /** The names of the cgroups below Chowder's that start with {@code prefix}. */
    List<String> names(String prefix) {
        return List.of();
    }

    /**
     * Held while the organization's cgroup {@code group} is made (with an instance's inside), its limits written, or
     * removed. One per organization: writing a lowered memory bound may make the kernel reclaim for a while, and other
     * organizations' starts need not wait for it. A lock, not a monitor: starts and stops run on virtual threads, which
     * on JDK 21 to 23 pin their carrier while blocked in a monitor.
     */
    final ReentrantLock lockOf(String group) {
        return groupLocks.computeIfAbsent(group, any -> new ReentrantLock());
    }

    /**
     * Removes an instance's cgroup (one directory per hierarchy), then its organization's {@code group} (none for a
     * trial's: null) unless another instance's is inside. Under the organization's lock, so that its cgroup never goes
     * from below an instance's being created. Just after a cgroup's last process exited, or its last child went, the
     * kernel may refuse for a moment (it takes a cgroup down asynchronously): tried again for up to a second, the lock
     * let go in between; then left, and taken over by the instance's next start.
     */
    final void remove(List<Path> cellDirectories, String group, List<Path> groupDirectories) {
        ReentrantLock lock = group == null ? new ReentrantLock() : lockOf(group);
        for (int attempt = 0; attempt < REMOVAL_ATTEMPTS; attempt++) {
            lock.lock();
            try {
                cellDirectories.forEach(CgroupFiles::removeDirectory);
                if (cellDirectories.stream().noneMatch(Files::exists)) {
                    if (group == null || groupDirectories.stream().anyMatch(CgroupFiles::hasChildren)) {
                        return;
                    }
                    groupDirectories.forEach(CgroupFiles::removeDirectory);
                    if (groupDirectories.stream().noneMatch(Files::exists)) {
                        return;
                    }
                }
            } finally {
                lock.unlock();
            }
            try {
                Thread.sleep(REMOVAL_PAUSE);
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
