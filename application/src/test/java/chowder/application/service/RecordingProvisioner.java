package chowder.application.service;

import chowder.application.port.out.InstanceProvisionerPort;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceSettings;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Chowder that provisions (in sandboxes, unless {@link #sandbox} says otherwise) and starts nothing: it remembers each
 * start, with the settings and the model credential it was given.
 */
public final class RecordingProvisioner implements InstanceProvisionerPort {
    public record Started(InstanceId instance, String credential, StoredSettings settings) {}

    public final List<Started> started = new CopyOnWriteArrayList<>();
    public volatile String sandbox = "bubblewrap";

    /** The credential of the instance's last start. */
    public String credentialOf(InstanceId instance) {
        return started.reversed().stream().filter(start -> start.instance().equals(instance)).findFirst().orElseThrow().credential();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Optional<String> sandbox() {
        return Optional.of(sandbox);
    }

    @Override
    public void ensureAvailable() {}

    @Override
    public void check(InstanceSettings settings) {}

    @Override
    public PreparedGateway prepare(InstanceSettings settings) {
        return new PreparedGateway(freeAddress(), new GatewayToken("gateway-token"), settings);
    }

    @Override
    public GatewayUrl freeAddress() {
        return GatewayUrl.of("http://127.0.0.1:40001");
    }

    @Override
    public void start(Instance instance, StoredSettings settings, GatewayEvents events, String modelCredential) {
        started.add(new Started(instance.id(), modelCredential, settings));
    }

    @Override
    public void stop(InstanceId id) {}

    @Override
    public void remove(InstanceId id) {}
}
