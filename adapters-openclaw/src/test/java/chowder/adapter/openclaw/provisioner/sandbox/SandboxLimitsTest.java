package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chowder.testing.LoopbackPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The memory, process, CPU and open-file limits of a sandbox, by its cgroup and by rlimits where cgroups are missing. */
class SandboxLimitsTest extends SandboxFixture {
    @Test
    void limitsMemoryProcessesAndOpenFiles() throws Exception {
        Run memory = run("hungry", "/usr/bin/python3 -c 'blocks = [bytearray(64 * 1024 * 1024) for _ in range(8)]; print(\"SURVIVED\")'; echo exit=$?");
        assertThat(memory.output()).doesNotContain("SURVIVED").contains("exit=137");
        assertThat(memory.limitsReached()).contains("memory limit of 256 MiB");

        String forkBomb = forkBomb("for pid in children:\n    os.kill(pid, signal.SIGKILL)\n");
        Run processes = start("forking", LoopbackPorts.free(), List.of("/bin/sh", "-c", "/usr/bin/python3 -c \"$0\"; ulimit -n; ulimit -c", forkBomb)).finish();
        String forked = processes.lines().stream().filter(line -> line.startsWith("FORKED ")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(forked.substring("FORKED ".length()).strip())).isPositive().isLessThan(PROCESSES);
        assertThat(processes.lines()).contains("4096", "0");
    }

    @Test
    void limitsCpuByTheQuotaOfItsCgroup() throws Exception {
        sandbox.close();
        sandbox = new Sandbox(config(FIRST_UID, 0.1, List.of()), instancesDir, Map.of("PATH", System.getenv("PATH")), new SecureRandom());
        assertThat(sandbox.problem()).isEmpty();
        String busy = """
                import time
                start, cpu = time.monotonic(), time.process_time()
                while time.monotonic() - start < 3:
                    pass
                print("USED", time.process_time() - cpu, "OF", time.monotonic() - start, flush=True)
                time.sleep(300)
                """;
        Started started = start(unique("busy"), LoopbackPorts.free(), List.of("/usr/bin/python3", "-c", busy));
        started.awaitOutput("USED ");
        Path cpu = KernelCgroups.cgroupOf(processesOf(started.cell().uid()).getFirst().pid(), "cpu");

        assertThat(KernelCgroups.cpuQuotaAndPeriod(cpu)).as("CHOWDER_SANDBOX_CPUS=0.1 in %s", cpu).containsExactly(10_000L, 100_000L);
        assertThat(KernelCgroups.counter(cpu.resolve("cpu.stat"), "nr_throttled")).as("periods in which the busy loop was stopped").isPositive();
        String[] used = Files.readString(started.output(), UTF_8).lines().filter(line -> line.startsWith("USED ")).findFirst().orElseThrow()
                .split(" ");
        // At most a tenth of the time it ran (plus a period): a quarter holds however loaded the machine is.
        assertThat(Double.parseDouble(used[1])).as("CPU seconds of a busy loop over %s s", used[3]).isLessThan(Double.parseDouble(used[3]) / 4);
    }

    @Test
    void anOrganizationsSandboxesTogetherStayWithinItsMemoryBoundWhileAnotherOrganizationsAreUntouched() throws Exception {
        long bound = 320L * 1024 * 1024;
        reopen(new SandboxConfig.OrganizationLimits(bound, 0));
        String acme = UUID.randomUUID().toString();
        String globex = UUID.randomUUID().toString();
        // 192 MiB each: within one sandbox's 256, but two of one organization's are beyond its 320 together.
        List<String> hold = List.of("/usr/bin/python3", "-c",
                "import time\nblock = bytearray(192 * 1024 * 1024)\nprint('HELD', flush=True)\ntime.sleep(300)\n");
        Started first = start(acme, unique("acme-first"), hold);
        first.awaitOutput("HELD");
        Path group = KernelCgroups.cgroupOf(processesOf(first.cell().uid()).getFirst().pid(), "memory").getParent();
        assertThat(group.getFileName()).hasToString("org-" + acme);
        assertThat(KernelCgroups.memoryLimit(group)).as("the memory bound of %s", group).isEqualTo(bound);

        Started second = start(acme, unique("acme-second"), hold);
        Started other = start(globex, unique("globex"), hold);
        other.awaitOutput("HELD");
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (first.process().isAlive() && second.process().isAlive()) {
            assertThat(System.nanoTime() - deadline).as("one of Acme's two sandboxes killed for their memory together").isNegative();
            Thread.sleep(20);
        }
        Started killed = first.process().isAlive() ? second : first;
        assertThat(killed.process().waitFor(RUN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
        assertThat(killed.cell().limitsReached()).contains("CHOWDER_SANDBOX_MEMORY_PER_ORG");
        assertThat(other.process().isAlive()).as("Globex's sandbox, which holds as much").isTrue();
        assertThat(other.cell().limitsReached()).isEmpty();

        // The organization's cgroup goes with its last instance's.
        first.cell().close();
        second.cell().close();
        assertThat(group).doesNotExist();
        assertThat(KernelCgroups.cgroupOf(processesOf(other.cell().uid()).getFirst().pid(), "memory").getParent().getFileName())
                .hasToString("org-" + globex);
    }

    @Test
    void anOrganizationsMemoryBoundChangesAtItsNextStartAndIsNeverLiftedWhileItsSandboxesRun() throws Exception {
        String acme = UUID.randomUUID().toString();
        List<String> hold = List.of("/usr/bin/python3", "-c",
                "import time\nblock = bytearray(192 * 1024 * 1024)\nprint('HELD', flush=True)\ntime.sleep(300)\n");
        List<String> idle = List.of("/bin/sh", "-c", "echo IDLE; sleep 300");
        reopen(512);
        Started first = start(acme, unique("acme-first"), hold);
        Started second = start(acme, unique("acme-second"), hold);
        first.awaitOutput("HELD");
        second.awaitOutput("HELD");
        Path group = KernelCgroups.cgroupOf(processesOf(first.cell().uid()).getFirst().pid(), "memory").getParent();
        assumeTrue(Files.exists(group.resolve("memory.memsw.limit_in_bytes")), "cgroup v1 with swap accounted");
        assertThat(memoryAndSwapLimits(group)).containsExactly(512L << 20, 512L << 20);

        // Raised at the next start of one of its instances, memory and swap alike.
        reopen(1024);
        start(acme, unique("acme-third"), idle).awaitOutput("IDLE");
        assertThat(memoryAndSwapLimits(group)).containsExactly(1024L << 20, 1024L << 20);

        // Lowered below what its two holders use (about 470 MiB): the kernel refuses, the bound stays, and the start goes on.
        reopen(300);
        start(acme, unique("acme-fourth"), idle).awaitOutput("IDLE");
        assertThat(memoryAndSwapLimits(group)).containsExactly(1024L << 20, 1024L << 20);
        assertThat(first.process().isAlive() && second.process().isAlive()).as("Acme's holders, still running").isTrue();
    }

    /** A sandbox whose organizations may use {@code mebibytes} of memory together, for the starts that follow. */
    private void reopen(long mebibytes) {
        reopen(new SandboxConfig.OrganizationLimits(mebibytes << 20, 0));
    }

    /** A sandbox with these limits for each organization's instances together, for the starts that follow. */
    private void reopen(SandboxConfig.OrganizationLimits perOrganization) {
        sandbox.close();
        sandbox = new Sandbox(config(FIRST_UID, 1.0, perOrganization, List.of()), instancesDir, Map.of("PATH", System.getenv("PATH")),
                new SecureRandom());
        assertThat(sandbox.problem()).isEmpty();
    }

    private static List<Long> memoryAndSwapLimits(Path group) throws IOException {
        return List.of(KernelCgroups.memoryLimit(group),
                Long.parseLong(Files.readString(group.resolve("memory.memsw.limit_in_bytes"), UTF_8).strip()));
    }

    @Test
    void anOrganizationsSandboxesTogetherStayWithinItsProcessBoundWhileAnotherOrganizationsAreUntouched() throws Exception {
        int bound = 100;
        reopen(new SandboxConfig.OrganizationLimits(0, bound));
        String acme = UUID.randomUUID().toString();
        String globex = UUID.randomUUID().toString();
        // Each fork bomb holds what it forked: the first of Acme's takes most of the organization's 100, one sandbox's 64 at most.
        int first = forked(start(acme, unique("acme-bomb"), List.of("/usr/bin/python3", "-c", FORK_BOMB)));
        int second = forked(start(acme, unique("acme-bomb"), List.of("/usr/bin/python3", "-c", FORK_BOMB)));
        int other = forked(start(globex, unique("globex-bomb"), List.of("/usr/bin/python3", "-c", FORK_BOMB)));
        assertThat(first + second).as("processes Acme's two sandboxes forked together (%s and %s)", first, second).isLessThan(bound);
        assertThat(other).as("processes Globex's sandbox forked, against Acme's second one's %s", second).isGreaterThan(second);
    }

    /** How many processes a started fork bomb made before it was refused. */
    private static int forked(Started bomb) throws Exception {
        bomb.awaitOutput("FORKED ");
        return Integer.parseInt(Files.readString(bomb.output(), UTF_8).lines().filter(line -> line.startsWith("FORKED ")).findFirst()
                .orElseThrow().substring("FORKED ".length()).strip());
    }

    @Test
    void organizationsShareTheCpuEquallyUnderContentionHoweverManySandboxesEachRuns() throws Exception {
        // Each loop keeps to one CPU, the same for all, so that they contend on a host of any size.
        String loop = """
                import os, time
                os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
                print("BUSY", flush=True)
                end = time.monotonic() + 120
                while time.monotonic() < end:
                    pass
                """;
        String acme = UUID.randomUUID().toString();
        String globex = UUID.randomUUID().toString();
        List<Started> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.add(start(acme, unique("acme-busy"), List.of("/usr/bin/python3", "-c", loop)));
        }
        all.add(start(globex, unique("globex-busy"), List.of("/usr/bin/python3", "-c", loop)));
        for (Started busy : all) {
            busy.awaitOutput("BUSY");
        }
        // The CPU time each got over the same three seconds while all four run, by the kernel's own count.
        long[] before = cpuTicks(all);
        Thread.sleep(3_000);
        long[] after = cpuTicks(all);
        long acmeUsed = (after[0] - before[0]) + (after[1] - before[1]) + (after[2] - before[2]);
        long globexUsed = after[3] - before[3];
        // Equal shares give Globex's one loop as much as Acme's three together; one share per sandbox would give it a third.
        assertThat(globexUsed).as("CPU ticks of Globex's one sandbox against Acme's three (%s together)", acmeUsed)
                .isGreaterThan(acmeUsed * 6 / 10);
    }

    /** The CPU time (user and system, in clock ticks) the processes of each sandbox have used so far. */
    private static long[] cpuTicks(List<Started> sandboxes) throws IOException {
        long[] ticks = new long[sandboxes.size()];
        for (int i = 0; i < sandboxes.size(); i++) {
            for (ProcessHandle process : processesOf(sandboxes.get(i).cell().uid())) {
                try {
                    String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"), UTF_8);
                    // After the command's name in parentheses: the state is field 3, utime and stime are 14 and 15.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks[i] += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (NoSuchFileException gone) {
                    // a short-lived process of the sandbox's own
                }
            }
        }
        return ticks;
    }

    @Test
    void theCgroupsProcessLimitStopsAForkBombItsRlimitWouldLetThrough() throws Exception {
        String name = unique("bomb");
        SandboxCell cell = open(name, LoopbackPorts.free(), List.of("/usr/bin/python3", "-c", FORK_BOMB));
        // The per-uid rlimit, set to the same number, would stop the bomb too: raised here, only the cgroup is left.
        List<String> command = cell.command().command();
        int rlimit = command.indexOf("--nproc=" + PROCESSES + ":" + PROCESSES);
        assertThat(rlimit).as("the process rlimit in %s", command).isNotNegative();
        command.set(rlimit, "--nproc=4096:4096");
        Started started = launch(name, cell);
        started.awaitOutput("FORKED ");
        Path pids = KernelCgroups.cgroupOf(processesOf(cell.uid()).getFirst().pid(), "pids");

        assertThat(Files.readString(pids.resolve("pids.max"), UTF_8).strip()).isEqualTo(Integer.toString(PROCESSES));
        assertThat(KernelCgroups.counter(pids.resolve("pids.events"), "max")).as("forks the cgroup %s refused", pids).isPositive();
        List<String> lines = Files.readString(started.output(), UTF_8).lines().toList();
        assertThat(lines).as("the rlimit it ran with").contains("NPROC 4096");
        int forked = Integer.parseInt(lines.stream().filter(line -> line.startsWith("FORKED ")).findFirst().orElseThrow().substring(7));
        assertThat(forked).isPositive().isLessThan(PROCESSES);
    }

    @Test
    void withoutUsableCgroupsItStillConfinesAndBoundsProcessesButWarnsThatMemoryAndCpuAreNotLimited() throws Exception {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Sandbox.class);
        logger.addAppender(captured);
        try {
            sandbox.close();
            sandbox = new Sandbox(config(List.of()), instancesDir, SandboxTools.searchPath(System.getenv("PATH")), new SecureRandom(), Cgroups.NONE);
            assertThat(sandbox.problem()).isEmpty();
        } finally {
            logger.detachAppender(captured);
        }
        assertThat(captured.list).filteredOn(event -> event.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(message -> message.startsWith("Sandbox: bubblewrap for every provisioned gateway")
                        && message.contains("memory and CPU are NOT limited"));

        String name = unique("uncapped");
        Started started = start(name, LoopbackPorts.free(), List.of("/usr/bin/python3", "-c", FORK_BOMB));
        started.awaitOutput("FORKED ");
        long uid = started.cell().uid();
        assertThat(KernelCgroups.cgroupOf(processesOf(uid).getFirst().pid(), "pids").getFileName()).doesNotHaveToString(name);
        List<String> lines = Files.readString(started.output(), UTF_8).lines().toList();
        assertThat(lines).contains("NPROC " + PROCESSES);
        int forked = Integer.parseInt(lines.stream().filter(line -> line.startsWith("FORKED ")).findFirst().orElseThrow().substring(7));
        assertThat(forked).as("processes bounded by the uid's rlimit alone").isPositive().isLessThan(PROCESSES);
        assertThat(uid).isBetween(FIRST_UID, FIRST_UID + SandboxConfig.UID_RANGE);
    }
}
