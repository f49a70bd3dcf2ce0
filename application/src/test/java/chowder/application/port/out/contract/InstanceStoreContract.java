package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LoadInstancePort;
import chowder.application.port.out.SaveInstancePort;
import chowder.domain.GatewayToken;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import chowder.domain.InstanceId;
import chowder.domain.InstanceUpdate;
import chowder.domain.Organization;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The contract of the instance ports: listing order, updates that lose to a newer change, the per-organization limit. */
public abstract class InstanceStoreContract extends StoreContract {
    @Test
    void storesInstancesAndListsThemNewestFirst() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        Instance older = instance(acme, "older", now.minusSeconds(60), "token-older-secret");
        Instance newer = instance(acme, "newer", now, "token-newer-secret");
        Instance foreign = instance(globex, "foreign", now, "token-foreign-secret");
        SaveInstancePort save = port(SaveInstancePort.class);
        List.of(older, newer, foreign).forEach(instance -> assertThat(save.insertWithinLimit(instance, 0)).isTrue());

        LoadInstancePort load = port(LoadInstancePort.class);
        assertThat(load.findById(older.id())).contains(older);
        assertThat(load.findById(InstanceId.random())).isEmpty();
        assertThat(load.listByOrganization(acme.id())).containsExactly(newer, older);
    }

    @Test
    void updatesApplyOnlyWhenTheStatusIsStillTheExpectedOne() {
        Organization acme = organization("Acme");
        Instance instance = stored(acme, "bot", "token-secret");
        SaveInstancePort save = port(SaveInstancePort.class);
        LoadInstancePort load = port(LoadInstancePort.class);

        Instance running = instance.observed(Optional.empty(), now.plusSeconds(1));
        assertThat(save.updateIfUnchanged(running, instance)).isTrue();
        Instance renamed = running.update(new InstanceUpdate(Optional.of("renamed"), Optional.empty(), Optional.empty(), Optional.empty()),
                now.plusSeconds(2));
        assertThat(save.updateIfUnchanged(renamed, running)).isTrue();
        Instance staleProbeOfRunning = running.observed(Optional.of("refused"), now.plusSeconds(3));
        assertThat(save.updateIfUnchanged(staleProbeOfRunning, running)).as("a probe must not undo a rename").isFalse();
        Instance stopped = renamed.stop(now.plusSeconds(4));
        assertThat(save.updateIfUnchanged(stopped, renamed)).isTrue();
        Instance staleProbe = renamed.observed(Optional.of("refused"), now.plusSeconds(5));
        assertThat(save.updateIfUnchanged(staleProbe, renamed)).as("a probe must not undo a stop").isFalse();
        assertThat(load.findById(instance.id())).contains(stopped);
        assertThat(load.listProbed()).isEmpty();
        Instance readdressed = stopped.update(new InstanceUpdate(Optional.empty(), Optional.of(GatewayUrl.of("https://gw.example:8443/a")),
                Optional.of(new GatewayToken("rotated-secret")), Optional.of("{}")), now.plusSeconds(6));
        assertThat(save.updateIfUnchanged(readdressed, stopped)).isTrue();
        assertThat(load.findById(instance.id())).contains(readdressed);
        assertThat(load.listAll()).containsExactly(readdressed);
    }

    @Test
    void theInstanceLimitIsEnforcedAtomicallyPerOrganization() throws Exception {
        Organization acme = organization("Acme");
        SaveInstancePort save = port(SaveInstancePort.class);
        long stored = trueAtOnce(8, i -> save.insertWithinLimit(instance(acme, "i" + i, now, "t"), 3));
        assertThat(stored).isEqualTo(3);
        assertThat(port(LoadInstancePort.class).listByOrganization(acme.id())).hasSize(3);
    }
}
