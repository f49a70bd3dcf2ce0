package chowder.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads a running JVM's heap, memory pools, threads and allocation through JMX, reached with the attach API
 * (so the measured JVM needs no JMX flags), and its resident set from /proc.
 */
final class JvmProbe implements AutoCloseable {
    private static final double MB = 1024 * 1024;
    // USER_HZ, which Linux fixes at 100 for /proc on every architecture Chowder runs on.
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    private final long pid;
    private final JMXConnector connector;
    private final MemoryMXBean memory;
    private final com.sun.management.ThreadMXBean threads;
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();

    JvmProbe(long pid) throws Exception {
        this.pid = pid;
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        MBeanServerConnection server = connector.getMBeanServerConnection();
        memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        threads = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.THREAD_MXBEAN_NAME, com.sun.management.ThreadMXBean.class);
        for (ObjectName name : server.queryNames(new ObjectName(ManagementFactory.MEMORY_POOL_MXBEAN_DOMAIN_TYPE + ",*"), null)) {
            MemoryPoolMXBean pool = ManagementFactory.newPlatformMXBeanProxy(server, name.toString(), MemoryPoolMXBean.class);
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool);
            }
        }
    }

    double heapUsedMb() {
        return memory.getHeapMemoryUsage().getUsed() / MB;
    }

    double heapCommittedMb() {
        return memory.getHeapMemoryUsage().getCommitted() / MB;
    }

    /** A full collection, then the heap in use: the live set. */
    double heapLiveMb() {
        memory.gc();
        return heapUsedMb();
    }

    void resetPeaks() {
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of every heap pool's peak since {@link #resetPeaks()}: an upper bound of the heap's peak. */
    double heapPeakMb() {
        return heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() / MB;
    }

    /** Bytes allocated on the heap by every thread since the JVM started (virtual threads count on their carriers). */
    long allocatedBytes() {
        return threads.getTotalThreadAllocatedBytes();
    }

    /**
     * CPU time the process used since it started, user and system, from /proc (in steps of the kernel's clock tick), less
     * what its JIT compiler threads used: a short run still compiles, and that is not what a request costs.
     */
    long cpuMicros() throws IOException {
        long ticks = ticks(Path.of("/proc/" + pid + "/stat"));
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm"));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        ticks -= ticks(task.resolve("stat"));
                    }
                } catch (IOException gone) {
                    // The thread ended meanwhile.
                }
            }
        }
        return ticks * 1_000_000 / CLOCK_TICKS_PER_SECOND;
    }

    private static long ticks(Path stat) throws IOException {
        String line = Files.readString(stat);
        // The command name may hold spaces: fields are counted from after its closing parenthesis (utime is field 14).
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    int platformThreads() {
        return threads.getThreadCount();
    }

    /** VmRSS and VmHWM (peak RSS) in MB. */
    Map<String, Double> residentMb() throws IOException {
        Map<String, Double> rss = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                String[] parts = line.split("\\s+");
                rss.put(parts[0].replace(":", ""), Long.parseLong(parts[1]) / 1024.0);
            }
        }
        return rss;
    }

    long openFiles() throws IOException {
        try (var files = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return files.count();
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
