package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How each provisioned gateway is confined: bubblewrap (the default) or nothing ({@code off}, for an operator whose
 * only tenant is themselves); the first of the uids given to instances; the limits of one instance's process tree
 * (memory, processes and threads, CPU cores, open files, connections held to each host port it is let through to), and
 * what all the instances of one organization may use together ({@link OrganizationLimits}); and
 * the destinations its agent may reach besides its model provider.
 */
public record SandboxConfig(
        Mode mode,
        long firstUid,
        long memoryBytes,
        int maxProcesses,
        double cpus,
        int maxOpenFiles,
        int maxConnectionsPerPort,
        List<EgressRule> egressAllowed,
        OrganizationLimits perOrganization) {

    public static final long DEFAULT_FIRST_UID = 1_500_000_000L;
    /** Instance {@code n} of the host gets uid {@code firstUid + n}; far more than one host runs. */
    public static final int UID_RANGE = 1_000_000;
    public static final long DEFAULT_MEMORY_BYTES = 2L * 1024 * 1024 * 1024;
    public static final int DEFAULT_MAX_PROCESSES = 512;
    public static final double DEFAULT_CPUS = 1.0;
    public static final int DEFAULT_MAX_OPEN_FILES = 4096;
    /**
     * A gateway holds a few connections to each port it is let through to (the model endpoint refuses a ninth call at
     * once, npm opens 15 to the egress proxy): 64 leaves room, and keeps one sandbox from holding the connections the
     * model endpoint and the egress proxy share among every tenant.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_PORT = 64;
    static final int MIN_CONNECTIONS_PER_PORT = 8;
    // A gateway alone needs about 1.1 GB (measured) and a few dozen threads: below these it cannot start.
    static final long MIN_MEMORY_BYTES = 256L * 1024 * 1024;
    static final int MIN_PROCESSES = 64;
    static final int MIN_OPEN_FILES = 256;
    private static final Path PID_MAX = Path.of("/proc/sys/kernel/pid_max");
    private static final long MEBIBYTE = 1024 * 1024;
    // uids beyond 2^31 - 1 confuse tools that read them as signed numbers; 65534 is nobody's.
    private static final long MAX_UID = Integer.MAX_VALUE - 1L;

    /** {@code bubblewrap}: every gateway in its own sandbox; {@code off}: gateways run as Chowder's own user, unconfined. */
    public enum Mode {
        BUBBLEWRAP("bubblewrap"),
        OFF("off");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        /** How the mode is written in {@code CHOWDER_SANDBOX} and shown on instances. */
        public String wireName() {
            return wireName;
        }

        public static Mode parse(String text) {
            for (Mode mode : values()) {
                if (mode.wireName.equals(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("expected bubblewrap or off");
        }
    }

    public SandboxConfig {
        requireNonNull(mode, "mode is null");
        egressAllowed = List.copyOf(requireNonNull(egressAllowed, "egressAllowed is null"));
        checkFirstUid(firstUid);
        checkMemory(memoryBytes);
        requireNonNull(perOrganization, "perOrganization is null");
        OrganizationLimits.checkMemory(perOrganization.memoryBytes(), memoryBytes);
        OrganizationLimits.checkProcesses(perOrganization.maxProcesses(), maxProcesses);
        checkProcesses(maxProcesses);
        checkCpus(cpus);
        checkOpenFiles(maxOpenFiles);
        checkConnectionsPerPort(maxConnectionsPerPort);
    }

    /** Above every system and ordinary user (and nobody, 65534), and low enough for its whole range to fit. */
    public static long checkFirstUid(long uid) {
        if (uid < 65_536 || uid > MAX_UID - UID_RANGE) {
            throw new IllegalArgumentException("must be from 65536 to " + (MAX_UID - UID_RANGE) + " (instances get the " + UID_RANGE
                    + " uids from there; pick a range no other user or container of the host uses)");
        }
        return uid;
    }

    public static long checkMemory(long bytes) {
        if (bytes < MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException("must be at least " + MIN_MEMORY_BYTES / (1024 * 1024) + "M (a gateway needs about 1.1 GB)");
        }
        return bytes;
    }

    public static int checkProcesses(int count) {
        if (count < MIN_PROCESSES) {
            throw new IllegalArgumentException("must be at least " + MIN_PROCESSES + " (threads count too)");
        }
        return count;
    }

    public static double checkCpus(double cores) {
        if (!(cores >= 0.01 && cores <= 1024)) {
            throw new IllegalArgumentException("must be from 0.01 to 1024 cores");
        }
        return cores;
    }

    public static int checkOpenFiles(int count) {
        if (count < MIN_OPEN_FILES) {
            throw new IllegalArgumentException("must be at least " + MIN_OPEN_FILES);
        }
        return count;
    }

    /** {@code 0} (no bound: for a kernel without nftables' connection counting) or at least {@value #MIN_CONNECTIONS_PER_PORT}. */
    public static int checkConnectionsPerPort(int count) {
        if (count != 0 && count < MIN_CONNECTIONS_PER_PORT) {
            throw new IllegalArgumentException("must be 0 (no bound) or at least " + MIN_CONNECTIONS_PER_PORT);
        }
        return count;
    }

    /** Bubblewrap with every default limit and no destination besides the model providers. */
    public static SandboxConfig defaults() {
        return new SandboxConfig(Mode.BUBBLEWRAP, DEFAULT_FIRST_UID, DEFAULT_MEMORY_BYTES, DEFAULT_MAX_PROCESSES, DEFAULT_CPUS,
                DEFAULT_MAX_OPEN_FILES, DEFAULT_MAX_CONNECTIONS_PER_PORT, List.of(),
                OrganizationLimits.defaults(DEFAULT_MEMORY_BYTES, DEFAULT_MAX_PROCESSES));
    }

    public SandboxConfig withMode(Mode newMode) {
        return new SandboxConfig(newMode, firstUid, memoryBytes, maxProcesses, cpus, maxOpenFiles, maxConnectionsPerPort, egressAllowed,
                perOrganization);
    }

    /**
     * What all the sandboxes of one organization may use together, each {@code 0} for no bound: memory (swap included
     * where the kernel accounts it) and processes and threads. Held by the organization's cgroup, so that one tenant's
     * many instances cannot take from the host what its single ones could not.
     */
    public record OrganizationLimits(long memoryBytes, int maxProcesses) {
        public static final OrganizationLimits NONE = new OrganizationLimits(0, 0);

        public OrganizationLimits {
            if (memoryBytes < 0 || maxProcesses < 0) {
                throw new IllegalArgumentException("an organization's limits must be 0 (no bound) or positive");
            }
        }

        /** {@code 0} (no bound) or at least one instance's limit: below it, one gateway would be held by less than its own. */
        public static long checkMemory(long bytes, long instanceBytes) {
            if (bytes != 0 && bytes < instanceBytes) {
                // Rounded up: the figure shown is one that would be accepted.
                throw new IllegalArgumentException("must be 0 (no bound) or at least one instance's memory ("
                        + (instanceBytes + MEBIBYTE - 1) / MEBIBYTE + "M, CHOWDER_SANDBOX_MEMORY)");
            }
            return bytes;
        }

        /** {@code 0} (no bound) or at least one instance's limit. */
        public static int checkProcesses(int count, int instanceCount) {
            if (count != 0 && count < instanceCount) {
                throw new IllegalArgumentException("must be 0 (no bound) or at least one instance's processes (" + instanceCount
                        + ", CHOWDER_SANDBOX_PROCESSES)");
            }
            return count;
        }

        /**
         * Half of the host's memory and half of its process ids ({@code kernel.pid_max}), never less than one instance's
         * limits (on a small host a single gateway still runs as before), each 0 (no bound) where it cannot be read: no
         * organization's gateways together take all of either from the others (or from Chowder, whose threads need
         * process ids too), as no organization's requests may take all of Chowder's heap (MemoryBudget). The memory is
         * what the JVM reads as the host's, its container's limit where it has one.
         */
        public static OrganizationLimits defaults(long instanceBytes, int instanceProcesses) {
            long memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? Math.max(instanceBytes, os.getTotalMemorySize() / 2) : 0;
            int processes;
            try {
                // Read through a buffer: Files.readString, sizing its read from the file's (zero) size, got "3" of "32768" here.
                processes = Math.max(instanceProcesses, Integer.parseInt(Files.readAllLines(PID_MAX, UTF_8).getFirst().strip()) / 2);
            } catch (IOException | RuntimeException e) {
                processes = 0;
            }
            return new OrganizationLimits(memory, processes);
        }

        /** What Chowder's start line says of them. */
        String describe() {
            return (memoryBytes == 0 ? "no bound on memory" : memoryBytes / MEBIBYTE + " MiB") + " and "
                    + (maxProcesses == 0 ? "no bound on processes" : maxProcesses + " processes") + " an organization's together";
        }
    }
}
