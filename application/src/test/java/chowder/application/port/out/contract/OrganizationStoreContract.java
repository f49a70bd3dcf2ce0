package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.Organization;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The contract of the organization ports: renames, suspensions, and a change seen by every node once it returns. */
public abstract class OrganizationStoreContract extends StoreContract {
    @Test
    void organizationsAreRenamedAndListed() {
        Organization acme = organization("Acme");
        Organization renamed = new Organization(acme.id(), "Acme Corp", acme.createdAt(), now.plusSeconds(9));
        port(SaveOrganizationPort.class).update(renamed);
        LoadOrganizationPort organizations = port(LoadOrganizationPort.class);
        assertThat(organizations.findById(acme.id())).contains(renamed);
        assertThat(organizations.listOrganizations()).containsExactly(renamed);
    }

    @Test
    void aSuspensionIsStoredListedAndSeenByTheOtherNodeOnceItReturnsAndARenameNeverUndoesIt() {
        Organization acme = organization("Acme");
        Organization globex = organization("Globex");
        LoadOrganizationPort there = otherNode(LoadOrganizationPort.class);
        // Read (and cached) on the other node before the change.
        assertThat(there.findById(acme.id()).orElseThrow().suspended()).isFalse();

        Organization suspended = acme.suspended(true, now.plusSeconds(5));
        port(SaveOrganizationPort.class).updateSuspension(suspended);
        assertThat(suspended.suspendedAt()).contains(now.plusSeconds(5));
        assertThat(port(LoadOrganizationPort.class).findById(acme.id())).contains(suspended);
        assertThat(there.findById(acme.id())).contains(suspended);
        assertThat(there.findById(globex.id())).contains(globex);
        assertThat(port(LoadOrganizationPort.class).listOrganizations()).containsExactlyInAnyOrder(suspended, globex);

        // A rename written from a copy read before the suspension keeps it suspended.
        port(SaveOrganizationPort.class).update(acme.rename("Acme Corp", now.plusSeconds(6)));
        Organization renamed = there.findById(acme.id()).orElseThrow();
        assertThat(renamed.name()).isEqualTo("Acme Corp");
        assertThat(renamed.suspendedAt()).contains(now.plusSeconds(5));

        Organization resumed = renamed.suspended(false, now.plusSeconds(7));
        port(SaveOrganizationPort.class).updateSuspension(resumed);
        assertThat(there.findById(acme.id())).contains(resumed);
        assertThat(resumed.suspendedAt()).isEqualTo(Optional.empty());
        assertThat(resumed.updatedAt()).isEqualTo(now.plusSeconds(7));
    }
}
