package chowder.adapter.openclaw.provisioner.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import chowder.testing.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Chowder as far as one sandbox is concerned, in a JVM of its own for {@link SandboxLifecycleTest} to kill: opens a real cell
 * around two {@code sleep}s and starts it from {@link ProcessLauncher}'s thread, as Chowder does, then prints
 * {@code HOLDING <uid> <pid of the cell's process>} and waits to be killed. Arguments: the instances directory, the
 * OpenClaw install, the instance's name and the first sandbox uid.
 */
final class SandboxHolder {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private SandboxHolder() {}

    public static void main(String[] args) throws Exception {
        Path instancesDir = Path.of(args[0]);
        Path runtime = Path.of(args[1]);
        String name = args[2];
        long firstUid = Long.parseLong(args[3]);
        Sandbox sandbox = new Sandbox(SandboxFixture.config(firstUid, 1.0, List.of()), instancesDir, Map.of("PATH", System.getenv("PATH")),
                new SecureRandom());
        SandboxCell cell = sandbox.open(SandboxFixture.request(instancesDir, runtime, name, LoopbackPorts.free(),
                List.of("/bin/sh", "-c", "sleep 300 & sleep 300 & echo STARTED; wait")));
        Path output = instancesDir.resolve(name + ".out");
        Process process = ProcessLauncher.start(cell.command().redirectErrorStream(true).redirectOutput(output.toFile()));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.readString(output, UTF_8).contains("STARTED")) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                System.out.println("FAILED " + Files.readString(output, UTF_8));
                System.exit(2);
            }
            Thread.sleep(20);
        }
        System.out.println("HOLDING " + cell.uid() + " " + process.pid());
        System.out.flush();
        // Killed long before; ending on its own also ends the sandbox (its launcher thread dies with the JVM).
        Thread.sleep(Duration.ofMinutes(10));
        System.exit(3);
    }
}
