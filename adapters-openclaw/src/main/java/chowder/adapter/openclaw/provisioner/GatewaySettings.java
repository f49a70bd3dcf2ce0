package chowder.adapter.openclaw.provisioner;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.domain.InstanceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skill and channel settings each started gateway runs with, and the config file written from them at each launch
 * and each change (in {@link ConfigDirectories}, never on disk).
 */
final class GatewaySettings {
    private static final Logger log = LoggerFactory.getLogger(GatewaySettings.class);

    private final ConfigDirectories directories;
    private final Map<InstanceId, StoredSettings> settings = new ConcurrentHashMap<>();
    /** The config of each launched gateway, to write again when its skill or channel settings change. */
    private final Map<InstanceId, GatewayConfigFile> configs = new ConcurrentHashMap<>();
    /**
     * Held to write a config: a launch and a skill change would otherwise race (both are rare and quick). A lock, not a
     * monitor: files are written while it is held, which would pin a virtual thread's carrier on JDK 21 to 23.
     */
    private final ReentrantLock configLock = new ReentrantLock();

    GatewaySettings(ConfigDirectories directories) {
        this.directories = requireNonNull(directories, "directories is null");
    }

    /** Settings for a gateway being started, unless a change that reached it on the way is already newer. */
    void startWith(InstanceId id, StoredSettings stored) {
        settings.putIfAbsent(id, stored);
    }

    StoredSettings of(InstanceId id) {
        return settings.getOrDefault(id, StoredSettings.NONE);
    }

    /** The instance's config directory, created when missing. */
    Path directory(InstanceId id) throws IOException {
        return directories.of(id);
    }

    /** Writes a launch's config with the current settings; their later changes are written there too. */
    void write(InstanceId id, GatewayConfigFile configFile) throws IOException {
        configLock.lock();
        try {
            configFile.write(of(id));
            configs.put(id, configFile);
        } finally {
            configLock.unlock();
        }
    }

    /** Changes the settings, and the config of a launched gateway with them. */
    void change(InstanceId id, UnaryOperator<StoredSettings> change) {
        configLock.lock();
        try {
            StoredSettings next = change.apply(of(id));
            settings.put(id, next);
            GatewayConfigFile file = configs.get(id);
            if (file != null) {
                try {
                    file.write(next);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the gateway config of instance " + id, e);
                }
            }
        } finally {
            configLock.unlock();
        }
    }

    /** Forgets a gateway being stopped: its settings, then (once it is gone) its config. */
    void forget(InstanceId id) {
        settings.remove(id);
        configs.remove(id);
    }

    /** Removes a stopped gateway's config: its skill secrets stay in memory no longer than it runs. */
    void removeConfig(InstanceId id) {
        configLock.lock();
        try {
            try {
                directories.remove(id);
            } catch (IOException e) {
                log.warn("Cannot remove the config of instance {}: {}", id, e.getMessage());
            }
        } finally {
            configLock.unlock();
        }
    }
}
