package chowder.application.port.out.contract;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.application.port.out.LoadOrganizationPort;
import chowder.application.port.out.SaveOrganizationPort;
import chowder.domain.Organization;
import org.junit.jupiter.api.Test;

/** The contract of the organization ports. */
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
}
