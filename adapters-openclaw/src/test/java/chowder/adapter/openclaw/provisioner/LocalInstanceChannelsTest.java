package chowder.adapter.openclaw.provisioner;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.adapter.openclaw.GatewayRpc;
import chowder.adapter.openclaw.provisioner.sandbox.EgressRule;
import chowder.adapter.openclaw.provisioner.sandbox.SandboxConfig;
import chowder.domain.Channel;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalInstanceChannelsTest {
    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.2", "https://matrix.org.", "https://[fe80::1%25eth0]"})
    void aServerTheAllowlistCannotCompareIsAClearValidationErrorNotAServerError(String homeserver) {
        LocalInstanceChannels channels = channels("matrix.org:443");

        assertThatThrownBy(() -> channels.requireReachable(Channel.MATRIX, Map.of("homeserver", homeserver, "user_id", "@a:b", "access_token", "t")))
                .isInstanceOfSatisfying(ChowderException.class, e -> org.assertj.core.api.Assertions.assertThat(e.code())
                        .isEqualTo(ErrorCode.VALIDATION_FAILED));
    }

    @Test
    void aListedServerIsReachableAndAnUnlistedOneNamesWhatTheOperatorAdds() {
        LocalInstanceChannels channels = channels("matrix.org:443,registry.npmjs.org:443");

        assertThatCode(() -> channels.requireReachable(Channel.MATRIX, Map.of("homeserver", "https://matrix.org"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> channels.requireReachable(Channel.MATRIX, Map.of("homeserver", "https://chat.example.com:8448")))
                .isInstanceOfSatisfying(ChowderException.class, e -> org.assertj.core.api.Assertions.assertThat(e.getMessage())
                        .contains("chat.example.com:8448", "CHOWDER_SANDBOX_EGRESS_ALLOW"));
    }

    private LocalInstanceChannels channels(String allowed) {
        ProvisionerConfig defaults = ProvisionerConfig.disabled(dataDir);
        SandboxConfig sandbox = SandboxConfig.defaults();
        ProvisionerConfig config = new ProvisionerConfig(true, Optional.of(dataDir.resolve("no-openclaw")), defaults.installRoot(),
                defaults.openclawVersion(), defaults.nodeVersion(), defaults.instancesDir(), dataDir.resolve("runtime"), Duration.ZERO,
                defaults.readyTimeout(), defaults.maxRestartBackoff(), ModelProviders.HOSTED_ONLY, defaults.maxFileBytes(), defaults.maxListEntries(),
                new SandboxConfig(sandbox.mode(), sandbox.firstUid(), sandbox.memoryBytes(), sandbox.maxProcesses(), sandbox.cpus(),
                        sandbox.maxOpenFiles(), sandbox.maxConnectionsPerPort(), EgressRule.parseList(allowed), sandbox.perOrganization()));
        return new LocalInstanceChannels(new GatewayRpc(), () -> {
            throw new AssertionError("checking reachability needs no gateway");
        }, config, ChannelsConfig.defaults());
    }
}
