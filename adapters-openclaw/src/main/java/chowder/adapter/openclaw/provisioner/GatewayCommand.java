package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;

/**
 * How an {@code openclaw gateway} child process is started on loopback: its command line and an environment built
 * from scratch. Public, and using the JDK only, so that the end-to-end harness starts its gateways exactly as the
 * provisioner does.
 */
public final class GatewayCommand {
    private GatewayCommand() {}

    /**
     * The gateway of {@code directory} (laid out like an instance's: {@code openclaw.json}, {@code state/},
     * {@code home/}) on {@code port}, run in that directory by the OpenClaw install in {@code openclawHome}. Of this
     * process's environment only {@code PATH} is kept (after the install's Node); {@code secrets} (the token, API keys)
     * go into the environment, never onto the command line. Redirections are left to the caller.
     */
    public static ProcessBuilder of(Path openclawHome, Path directory, int port, Map<String, String> secrets) {
        requireNonNull(secrets, "secrets is null");
        OpenClawInstall.Runtime runtime = new OpenClawInstall.Runtime(requireNonNull(openclawHome, "openclawHome is null"));
        InstanceDirectory instance = new InstanceDirectory(requireNonNull(directory, "directory is null"));
        ProcessBuilder builder = new ProcessBuilder(runtime.node().toString(), runtime.openClawEntry().toString(),
                "gateway", "--port", Integer.toString(port), "--bind", "loopback")
                .directory(instance.root().toFile());
        Map<String, String> environment = builder.environment();
        String hostPath = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        // Chowder's own environment (database password, master key, other providers' keys) is not the gateway's business.
        environment.clear();
        environment.put("PATH", runtime.nodeBinDirectory() + ":" + hostPath);
        environment.put("HOME", instance.home().toString());
        environment.put("LANG", "C.UTF-8");
        environment.put("OPENCLAW_CONFIG_PATH", instance.config().toString());
        environment.put("OPENCLAW_STATE_DIR", instance.state().toString());
        environment.put("OPENCLAW_HOME", instance.home().toString());
        // Documented in docs/gateway/embedding.md for a supervised, control-plane-only gateway child.
        environment.put("OPENCLAW_SKIP_CHANNELS", "1");
        environment.put("OPENCLAW_DISABLE_BONJOUR", "1");
        environment.put("OPENCLAW_NO_RESPAWN", "1");
        environment.put("OPENCLAW_EXEC_SHELL_SNAPSHOT", "0");
        environment.put("OPENCLAW_NO_AUTO_UPDATE", "1");
        environment.put("OPENCLAW_SKIP_CRON", "1");
        environment.put("DO_NOT_TRACK", "1");
        environment.putAll(secrets);
        return builder;
    }
}
