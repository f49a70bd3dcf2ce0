package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.openclaw.provisioner.LocalGatewayProvisioner;
import chowder.adapter.openclaw.provisioner.ModelProviders;
import chowder.adapter.openclaw.provisioner.ProvisionerConfig;
import chowder.testing.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a sandbox leaves behind: nothing once closed, nor once Chowder is killed and starts again. */
class SandboxLifecycleTest extends SandboxFixture {
    @Test
    void leavesNothingBehindOnceClosed() throws Exception {
        Started started = start("lingering", LoopbackPorts.free(), List.of("/bin/sh", "-c", "sleep 300 & sleep 300 & echo STARTED; wait"));
        started.awaitOutput("STARTED");
        long uid = started.cell().uid();
        assertThat(processesOf(uid)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Path.of("/run/netns", NetworkCell.namespaceName(started.instance()))).exists();

        started.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        started.cell().close();

        assertThat(processesOf(uid)).isEmpty();
        assertThat(Path.of("/run/netns", NetworkCell.namespaceName(started.instance()))).doesNotExist();
        try (var cgroups = Files.walk(Path.of("/sys/fs/cgroup"), 8)) {
            assertThat(cgroups.filter(path -> path.getFileName() != null && path.getFileName().toString().equals(started.instance())).toList()).isEmpty();
        }
    }

    @Test
    void diesWithChowderEvenOnSigkillAndTheNextStartRemovesWhatItLeft() throws Exception {
        String name = unique("killed");
        Path log = instancesDir.resolve("holder.log");
        Process chowder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SandboxHolder.class.getName(),
                instancesDir.toString(), runtime.toString(), name, Long.toString(FIRST_UID))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        cleanup.add(chowder::destroyForcibly);
        String[] holding = awaitLine(log, "HOLDING ", chowder).split(" ");
        long uid = Long.parseLong(holding[1]);
        try {
            ProcessHandle bubblewrap = ProcessHandle.of(Long.parseLong(holding[2])).orElseThrow();
            ProcessHandle pasta = ProcessHandle.of(Long.parseLong(Files.readString(instancesDir.resolve(name + "/sandbox/pasta.pid"), UTF_8).strip()))
                    .orElseThrow();
            List<ProcessHandle> agent = processesOf(uid);
            assertThat(agent).as("the shell and its two sleeps").hasSizeGreaterThanOrEqualTo(3);
            List<Path> cgroups = new ArrayList<>();
            for (String controller : List.of("memory", "pids", "cpu")) {
                cgroups.add(KernelCgroups.cgroupOf(agent.getFirst().pid(), controller));
            }
            assertThat(cgroups).allSatisfy(cgroup -> assertThat(cgroup.getFileName()).hasToString(name));
            Path namespace = Path.of("/run/netns", NetworkCell.namespaceName(name));
            assertThat(namespace).exists();

            chowder.destroyForcibly();
            assertThat(chowder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(chowder.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

            // Nothing kills them but their parent-death signals: no code of Chowder runs any more.
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (!processesOf(uid).isEmpty() || bubblewrap.isAlive() || pasta.isAlive()) {
                assertThat(System.nanoTime() - deadline).as("left running after Chowder was killed: processes of uid %d %s, bubblewrap %s, "
                        + "pasta %s", uid, processesOf(uid), bubblewrap.isAlive(), pasta.isAlive()).isNegative();
                Thread.sleep(50);
            }
            assertThat(agent).noneMatch(ProcessHandle::isAlive);
            // What a killed Chowder cannot remove, its next start does.
            assertThat(namespace).exists();
            assertThat(cgroups).allSatisfy(cgroup -> assertThat(cgroup).isDirectory());
            try (LocalGatewayProvisioner next = new LocalGatewayProvisioner(provisionerConfig(), Map.of("PATH", System.getenv("PATH")),
                    new SecureRandom(), Clock.systemUTC())) {
                next.reportSandbox();
            }
            assertThat(namespace).doesNotExist();
            assertThat(cgroups).allSatisfy(cgroup -> assertThat(cgroup).doesNotExist());
        } finally {
            SandboxIdentity.killProcessesOf(uid);
            sandbox.sweep(name);
        }
    }

    private static String awaitLine(Path log, String prefix, Process process) throws Exception {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (true) {
            var line = Files.readString(log, UTF_8).lines().filter(candidate -> candidate.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            assertThat(process.isAlive()).as("exited early: %s", Files.readString(log, UTF_8)).isTrue();
            assertThat(System.nanoTime() - deadline).as("waiting for %s in %s", prefix, Files.readString(log, UTF_8)).isNegative();
            Thread.sleep(20);
        }
    }

    /** A local provisioner on this test's instances directory, as Chowder's next start builds it. */
    private ProvisionerConfig provisionerConfig() {
        ProvisionerConfig defaults = ProvisionerConfig.disabled(dataDir);
        return new ProvisionerConfig(true, Optional.of(runtime), defaults.installRoot(), defaults.openclawVersion(), defaults.nodeVersion(), instancesDir,
                dataDir.resolve("runtime"), defaults.retention(), defaults.readyTimeout(), defaults.maxRestartBackoff(), ModelProviders.HOSTED_ONLY,
                defaults.maxFileBytes(), defaults.maxListEntries(), config(List.of()));
    }
}
