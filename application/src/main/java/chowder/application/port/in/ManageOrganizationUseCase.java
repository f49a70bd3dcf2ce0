package chowder.application.port.in;

import chowder.domain.Caller;
import chowder.domain.Organization;
import java.util.List;

/** The caller's own organization, and (for operators) all of them. */
public interface ManageOrganizationUseCase {
    Organization get(Caller caller);

    Organization rename(Caller caller, String name);

    /** Every organization; the operator only. */
    List<Organization> listAll(Caller operator);
}
