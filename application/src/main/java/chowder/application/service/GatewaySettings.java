package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.application.port.out.ChannelSettingsPort;
import chowder.application.port.out.InstanceProvisionerPort.StoredSettings;
import chowder.application.port.out.SkillSettingsPort;
import chowder.domain.InstanceId;

/** What a provisioned gateway is started with besides its instance: its skills' and channels' settings, as stored. */
public record GatewaySettings(SkillSettingsPort skills, ChannelSettingsPort channels) {
    public static final GatewaySettings NONE = new GatewaySettings(SkillSettingsPort.NONE, ChannelSettingsPort.NONE);

    public GatewaySettings {
        requireNonNull(skills, "skills is null");
        requireNonNull(channels, "channels is null");
    }

    StoredSettings of(InstanceId instance) {
        return new StoredSettings(skills.listByInstance(instance), channels.listByInstance(instance));
    }

    /** A deleted instance's secrets do not outlive it. */
    void deleteAll(InstanceId instance) {
        skills.deleteAll(instance);
        channels.deleteAll(instance);
    }
}
