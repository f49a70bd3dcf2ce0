package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How an {@code openclaw gateway} process is started on loopback: its command line and an environment built from
 * scratch. Public, and using the JDK only, so that the end-to-end harness starts its gateways exactly as the
 * provisioner does.
 */
public final class GatewayCommand {
    /** What a sandboxed gateway finds on its {@code PATH} besides Node: the host's {@code /usr}, read-only. */
    private static final String SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin";

    private GatewayCommand() {}

    /**
     * The gateway of {@code directory} (laid out like an instance's: {@code openclaw.json}, {@code state/},
     * {@code home/}) on {@code port}, run unconfined in that directory by the OpenClaw install in {@code openclawHome}.
     * Of this process's environment only {@code PATH} and the TLS trust settings are kept (after the install's Node); {@code secrets} (the token, API
     * keys) go into the environment, never onto the command line. Redirections are left to the caller.
     */
    public static ProcessBuilder of(Path openclawHome, Path directory, int port, Map<String, String> secrets) {
        InstanceDirectory instance = new InstanceDirectory(requireNonNull(directory, "directory is null"));
        return of(GatewayLayout.onHost(requireNonNull(openclawHome, "openclawHome is null"), instance, instance.root()), instance.root(),
                port, secrets);
    }

    /** The gateway of {@code layout}, run unconfined in {@code workingDirectory}; otherwise as {@link #of(Path, Path, int, Map)}. */
    static ProcessBuilder of(GatewayLayout layout, Path workingDirectory, int port, Map<String, String> secrets) {
        ProcessBuilder builder = new ProcessBuilder(arguments(layout, port)).directory(workingDirectory.toFile());
        Map<String, String> environment = builder.environment();
        String hostPath = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        Map<String, String> trust = hostTrust(environment);
        // Chowder's own environment (database password, master key, other providers' keys) is not the gateway's business.
        environment.clear();
        environment.putAll(environment(layout, hostPath, secrets));
        trust.forEach(environment::putIfAbsent);
        return builder;
    }

    /**
     * Runs a one-shot OpenClaw command for an unconfined gateway (the sandbox off), in its directory and with its
     * environment, waiting up to {@code timeout}; its output's last 8 KiB.
     */
    static chowder.adapter.openclaw.provisioner.sandbox.Sandbox.Outcome runUnconfined(GatewayLayout layout, Path directory, List<String> command,
            Map<String, String> secrets, java.time.Duration timeout) throws java.io.IOException, InterruptedException {
        Path output = java.nio.file.Files.createTempFile("chowder-command-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            String hostPath = builder.environment().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
            Map<String, String> trust = hostTrust(builder.environment());
            builder.environment().clear();
            builder.environment().putAll(environment(layout, hostPath, secrets));
            trust.forEach(builder.environment()::putIfAbsent);
            Process process = builder.start();
            int exit = -1;
            if (process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                exit = process.exitValue();
            } else {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            byte[] bytes = java.nio.file.Files.readAllBytes(output);
            int start = Math.max(0, bytes.length - 8192);
            return new chowder.adapter.openclaw.provisioner.sandbox.Sandbox.Outcome(exit,
                    new String(bytes, start, bytes.length - start, java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            java.nio.file.Files.deleteIfExists(output);
        }
    }

    /** The command line of the gateway of {@code layout} on {@code port}. */
    static List<String> arguments(GatewayLayout layout, int port) {
        OpenClawInstall.Runtime runtime = layout.runtime();
        return List.of(runtime.node().toString(), runtime.openClawEntry().toString(), "gateway", "--port", Integer.toString(port),
                "--bind", "loopback");
    }

    /**
     * The whole environment of a sandboxed gateway: its own paths, the OpenClaw settings, the host's TLS trust settings
     * ({@link #hostTrust}) and {@code secrets}.
     */
    static Map<String, String> sandboxEnvironment(GatewayLayout layout, Map<String, String> trust, Map<String, String> secrets) {
        Map<String, String> environment = environment(layout, SANDBOX_PATH, secrets);
        trust.forEach(environment::putIfAbsent);
        return environment;
    }

    /**
     * The host's TLS trust settings that a sandbox can follow: Node trusts only its own CA list unless told otherwise, so
     * an operator's CA (a registry mirror's, an intercepting proxy's) set in {@code NODE_EXTRA_CA_CERTS} and the like is
     * passed on when it names a file under the {@code /etc/ssl} or {@code /etc/ca-certificates} the sandbox sees.
     */
    static Map<String, String> hostTrust(Map<String, String> host) {
        Map<String, String> trust = new HashMap<>();
        for (String name : List.of("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR")) {
            String value = host.get(name);
            if (value != null && !value.contains("..") && (value.startsWith("/etc/ssl/") || value.startsWith("/etc/ca-certificates/"))) {
                trust.put(name, value);
            }
        }
        String systemCa = host.get("NODE_USE_SYSTEM_CA");
        if ("1".equals(systemCa)) {
            trust.put("NODE_USE_SYSTEM_CA", systemCa);
        }
        return trust;
    }

    private static Map<String, String> environment(GatewayLayout layout, String path, Map<String, String> secrets) {
        requireNonNull(secrets, "secrets is null");
        Map<String, String> environment = new HashMap<>();
        environment.put("PATH", layout.runtime().nodeBinDirectory() + ":" + path);
        environment.put("HOME", layout.home().toString());
        environment.put("LANG", "C.UTF-8");
        environment.put("OPENCLAW_CONFIG_PATH", layout.config().toString());
        environment.put("OPENCLAW_STATE_DIR", layout.state().toString());
        environment.put("OPENCLAW_HOME", layout.home().toString());
        // Documented in docs/gateway/embedding.md for a supervised, control-plane-only gateway child.
        environment.put("OPENCLAW_DISABLE_BONJOUR", "1");
        environment.put("OPENCLAW_NO_RESPAWN", "1");
        environment.put("OPENCLAW_EXEC_SHELL_SNAPSHOT", "0");
        environment.put("OPENCLAW_NO_AUTO_UPDATE", "1");
        environment.put("OPENCLAW_SKIP_CRON", "1");
        environment.put("DO_NOT_TRACK", "1");
        environment.putAll(secrets);
        return environment;
    }
}
