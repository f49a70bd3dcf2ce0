package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The cgroups of a process as the kernel reports them, not as Chowder recorded them. */
final class KernelCgroups {
    private KernelCgroups() {}

    /**
     * The directory of the cgroup {@code pid} is in, in the hierarchy of {@code controller} (or the unified one), as the
     * kernel reports it in {@code /proc}, not as Chowder recorded it.
     */
    static Path cgroupOf(long pid, String controller) throws IOException {
        String v1 = null;
        String unified = null;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"), UTF_8)) {
            String[] fields = line.split(":", 3);
            if (List.of(fields[1].split(",")).contains(controller)) {
                v1 = fields[2];
            } else if (fields[0].equals("0") && fields[1].isEmpty()) {
                unified = fields[2];
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), UTF_8)) {
            List<String> fields = List.of(line.split(" "));
            int separator = fields.indexOf("-");
            String type = fields.get(separator + 1);
            boolean hierarchy = v1 != null
                    ? type.equals("cgroup") && List.of(fields.get(separator + 3).split(",")).contains(controller)
                    : type.equals("cgroup2") && unified != null;
            if (hierarchy) {
                String path = v1 != null ? v1 : unified;
                String mountRoot = fields.get(3);
                return Path.of(fields.get(4), mountRoot.equals("/") ? path : path.substring(mountRoot.length()));
            }
        }
        throw new AssertionError("no " + controller + " cgroup for process " + pid);
    }

    /** The CFS quota and period of a cpu cgroup, in microseconds (cgroup v1 or v2). */
    static List<Long> cpuQuotaAndPeriod(Path cgroup) throws IOException {
        if (Files.exists(cgroup.resolve("cpu.max"))) {
            return java.util.Arrays.stream(Files.readString(cgroup.resolve("cpu.max"), UTF_8).strip().split(" ")).map(Long::parseLong).toList();
        }
        return List.of(Long.parseLong(Files.readString(cgroup.resolve("cpu.cfs_quota_us"), UTF_8).strip()),
                Long.parseLong(Files.readString(cgroup.resolve("cpu.cfs_period_us"), UTF_8).strip()));
    }

    /** The memory limit of a memory cgroup in bytes (cgroup v1 or v2). */
    static long memoryLimit(Path cgroup) throws IOException {
        Path v2 = cgroup.resolve("memory.max");
        return Long.parseLong(Files.readString(Files.exists(v2) ? v2 : cgroup.resolve("memory.limit_in_bytes"), UTF_8).strip());
    }

    /** The value of {@code key} in a cgroup file of {@code key value} lines. */
    static long counter(Path file, String key) throws IOException {
        return Files.readAllLines(file, UTF_8).stream().map(line -> line.strip().split("\\s+")).filter(fields -> fields[0].equals(key))
                .mapToLong(fields -> Long.parseLong(fields[1])).findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + file));
    }
}
