package chowder.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser console in a real browser: Chowder from its jar (with an operator admin token) and one organization, then
 * the Playwright scenarios of {@code e2e/browser/*.test.mjs} run by {@code node --test} against it, driving Debian's
 * Chromium ({@code /usr/bin/chromium}). Each scenario starts its own scripted gateway in node. Screenshots of every page
 * land in {@code e2e/target/console-screenshots}. Missing Chromium or {@code node_modules} fail the test, naming the
 * install command: CI installs them ({@code scripts/install-browser-tools}).
 */
@Timeout(1200)
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    private static final String INSTALL = "scripts/install-browser-tools (apt-get install -y chromium;"
            + " npm ci --prefix e2e/browser)";
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(15);
    private static final int OUTPUT_TAIL_LINES = 200;

    @Test
    void consoleScenariosPassInChromium() {
        Path root = repositoryRoot();
        Path browserTests = root.resolve("e2e").resolve("browser");
        requireInstalled(browserTests);
        String adminToken = randomHex(20);
        Path screenshots = emptied(root.resolve("e2e").resolve("target").resolve("console-screenshots"));
        try (ChowderProcess chowder = ChowderProcess.start(Map.of("CHOWDER_ADMIN_TOKEN", adminToken))) {
            ChowderProcess.Organization organization = chowder.createOrganization("Browser Test " + randomHex(3));
            NodeTestRun run = NodeTestRun.run(browserTests, testFiles(browserTests), Map.of(
                    "CHOWDER_URL", chowder.baseUrl().toString(),
                    "CHOWDER_ORG_KEY", organization.apiKey(),
                    "CHOWDER_ORG_ID", organization.id(),
                    "CHOWDER_ORG_NAME", organization.name(),
                    "CHOWDER_ADMIN_TOKEN", adminToken,
                    "SCREENSHOT_DIR", screenshots.toString(),
                    "CHROMIUM_PATH", CHROMIUM.toString()), NODE_TIMEOUT);
            if (run.timedOut()) {
                fail("the browser tests did not finish within " + NODE_TIMEOUT + "\n" + tail(run.output())
                        + "\nChowder's log tail:\n" + chowder.logTail());
            }
            if (run.exitCode() != 0) {
                fail("the browser tests (node --test e2e/browser/) exited with " + run.exitCode() + "\n" + tail(run.output())
                        + "\nChowder's log tail:\n" + chowder.logTail());
            }
            assertThat(chowder.log()).as("Chowder's log holds no key or token")
                    .doesNotContain(organization.apiKey(), adminToken);
        }
    }

    private static void requireInstalled(Path browserTests) {
        if (!Files.isExecutable(CHROMIUM)) {
            fail("no Chromium at " + CHROMIUM + ": install it with " + INSTALL);
        }
        if (!Files.isRegularFile(browserTests.resolve("node_modules").resolve("playwright-core").resolve("package.json"))) {
            fail("no " + browserTests.resolve("node_modules/playwright-core") + ": install it with " + INSTALL);
        }
    }

    /** The screenshot directory without the pictures of an earlier run (a stale FAILED-… would mislead). */
    private static Path emptied(Path directory) {
        try {
            Files.createDirectories(directory);
            try (Stream<Path> pictures = Files.list(directory)) {
                for (Path picture : pictures.filter(file -> file.getFileName().toString().endsWith(".png")).toList()) {
                    Files.delete(picture);
                }
            }
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + directory, e);
        }
    }

    /** The test files themselves, so that every Node version runs the same set (directory arguments differ across versions). */
    private static List<Path> testFiles(Path browserTests) {
        try (Stream<Path> files = Files.list(browserTests)) {
            List<Path> tests = files.filter(file -> file.getFileName().toString().endsWith(".test.mjs")).sorted().toList();
            assertThat(tests).as("browser test files in " + browserTests).isNotEmpty();
            return tests;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + browserTests, e);
        }
    }

    /** The repository root: Maven's basedir is the e2e module (and surefire's working directory), or the root itself. */
    private static Path repositoryRoot() {
        Path basedir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path candidate : Stream.of(basedir.getParent(), basedir).filter(java.util.Objects::nonNull).toList()) {
            if (Files.isDirectory(candidate.resolve("e2e").resolve("browser"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find e2e/browser from " + basedir + ": run the tests from the e2e module or the repository root");
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - OUTPUT_TAIL_LINES), lines.size()));
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
