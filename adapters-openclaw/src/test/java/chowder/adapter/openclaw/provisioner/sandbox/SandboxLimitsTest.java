package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chowder.testing.LoopbackPorts;
import java.nio.file.Files;
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
        sandbox.close();
        long bound = 320L * 1024 * 1024;
        sandbox = new Sandbox(config(FIRST_UID, 1.0, bound, List.of()), instancesDir, Map.of("PATH", System.getenv("PATH")), new SecureRandom());
        assertThat(sandbox.problem()).isEmpty();
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
    void organizationsShareTheCpuEquallyUnderContentionHoweverManySandboxesEachRuns() throws Exception {
        // Each loop keeps to one CPU, the same for all, so that they contend on a host of any size; each reports the CPU
        // time it got over the same three seconds of wall clock.
        String loop = """
                import os, sys, time
                os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
                start = float(sys.argv[1])
                late = time.time() > start
                while time.time() < start:
                    time.sleep(0.005)
                cpu = time.process_time()
                while time.time() < start + 3:
                    pass
                print("USED", time.process_time() - cpu, "LATE" if late else "", flush=True)
                time.sleep(300)
                """;
        String acme = UUID.randomUUID().toString();
        String globex = UUID.randomUUID().toString();
        String start = Double.toString(System.currentTimeMillis() / 1000.0 + 5);
        List<Started> acmes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            acmes.add(start(acme, unique("acme-busy"), List.of("/usr/bin/python3", "-c", loop, start)));
        }
        Started globexes = start(globex, unique("globex-busy"), List.of("/usr/bin/python3", "-c", loop, start));
        double acmeUsed = 0;
        for (Started busy : acmes) {
            acmeUsed += used(busy);
        }
        double globexUsed = used(globexes);
        // Equal shares give Globex's one loop as much as Acme's three together; one share per sandbox would give it a third.
        assertThat(globexUsed).as("CPU seconds of Globex's one sandbox against Acme's three (%s s together)", acmeUsed)
                .isGreaterThan(acmeUsed * 0.6);
    }

    /** The CPU seconds a busy loop reported; one that began after the common start says so, and fails the test. */
    private static double used(Started busy) throws Exception {
        busy.awaitOutput("USED ");
        String line = Files.readString(busy.output(), UTF_8).lines().filter(text -> text.startsWith("USED ")).findFirst().orElseThrow();
        assertThat(line).as("a loop that began late (its sandbox took more than 5 s to start)").doesNotContain("LATE");
        return Double.parseDouble(line.split(" ")[1]);
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
