package chowder.adapter.openclaw.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import chowder.adapter.openclaw.instance.InstanceDirectory;
import chowder.adapter.openclaw.provisioner.sandbox.Sandbox;
import chowder.domain.InstanceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories of deleted instances: marked with the time of deletion ({@link InstanceDirectory#DELETED_MARKER}),
 * kept for the retention, then removed.
 */
final class DeletedInstances {
    private static final Logger log = LoggerFactory.getLogger(DeletedInstances.class);

    private final Path instancesDir;
    private final Duration retention;
    private final Clock clock;

    DeletedInstances(Path instancesDir, Duration retention, Clock clock) {
        this.instancesDir = requireNonNull(instancesDir, "instancesDir is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Marks the instance's directory, when there is one, deleted now. */
    void mark(InstanceId id) {
        InstanceDirectory directory = InstanceDirectory.of(instancesDir, id);
        if (Files.isDirectory(directory.root())) {
            try {
                Files.writeString(directory.root().resolve(InstanceDirectory.DELETED_MARKER), clock.instant().toString(), UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot mark the directory of instance " + id + " deleted", e);
            }
        }
    }

    /** Removes the directories of instances deleted longer than the retention ago; returns how many. */
    int purgeExpired() {
        if (!Files.isDirectory(instancesDir)) {
            return 0;
        }
        Instant cutoff = clock.instant().minus(retention);
        List<Path> expired = new ArrayList<>();
        try (Stream<Path> directories = Files.list(instancesDir)) {
            directories.filter(directory -> deletedBefore(directory, cutoff)).forEach(expired::add);
        } catch (IOException e) {
            log.warn("Cannot list {}: {}", instancesDir, e.getMessage());
            return 0;
        }
        for (Path directory : expired) {
            try {
                Sandbox.removeAgentTree(directory);
                log.info("Removed the state of deleted instance {}", directory.getFileName());
            } catch (IOException e) {
                log.warn("Cannot remove {}: {}", directory, e.getMessage());
            }
        }
        return expired.size();
    }

    private static boolean deletedBefore(Path directory, Instant cutoff) {
        Path marker = directory.resolve(InstanceDirectory.DELETED_MARKER);
        if (!Files.isRegularFile(marker)) {
            return false;
        }
        try {
            return !Instant.parse(Files.readString(marker, UTF_8).strip()).isAfter(cutoff);
        } catch (IOException | DateTimeParseException e) {
            return false;
        }
    }
}
