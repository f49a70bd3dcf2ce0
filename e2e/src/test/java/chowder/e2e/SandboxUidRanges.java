package chowder.e2e;

import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * The sandbox uid range ({@code CHOWDER_SANDBOX_FIRST_UID}) of each Chowder these tests start with the local provisioner.
 * A Chowder kills the processes of its instances' uids before each launch, as it must, so two Chowders alive at once
 * must never share a range: one test class's Chowder may live beside another's (the channel tests' lives until the last
 * of them ends), and runs from two worktrees, or an operator's own Chowder, may share the host. So each data directory gets a
 * block of its own (a restart on the same data keeps it, as an operator's would), handed out in turn from a random start,
 * from 1.0e9 to 1.5e9: below the default range (1.5e9) that an operator's Chowder would use, and apart from the sandbox
 * tests of {@code adapters-openclaw} (1.5e9 to 2.0e9).
 */
final class SandboxUidRanges {
    static final String FIRST_UID = "CHOWDER_SANDBOX_FIRST_UID";
    private static final long FIRST = 1_000_000_000L;
    // Up to the default range, which an operator's Chowder would use.
    private static final int BLOCKS = (int) ((SandboxConfig.DEFAULT_FIRST_UID - FIRST) / SandboxConfig.UID_RANGE);
    private static final int START = new SecureRandom().nextInt(BLOCKS);
    private static final Map<Path, Long> BY_DATA_DIRECTORY = new HashMap<>();

    private SandboxUidRanges() {}

    /**
     * {@code settings} with the first uid of {@code dataDirectory}'s range added when they turn the local provisioner on
     * and name no range; unchanged otherwise.
     */
    static synchronized Map<String, String> addTo(Path dataDirectory, Map<String, String> settings) {
        if (!"local".equals(settings.get("CHOWDER_PROVISIONER")) || settings.containsKey(FIRST_UID)) {
            return settings;
        }
        long firstUid = BY_DATA_DIRECTORY.computeIfAbsent(dataDirectory.toAbsolutePath().normalize(),
                directory -> FIRST + (long) SandboxConfig.UID_RANGE * ((START + BY_DATA_DIRECTORY.size()) % BLOCKS));
        Map<String, String> withRange = new HashMap<>(settings);
        withRange.put(FIRST_UID, Long.toString(firstUid));
        return withRange;
    }
}
