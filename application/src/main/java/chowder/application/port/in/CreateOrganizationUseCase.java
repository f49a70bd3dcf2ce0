package chowder.application.port.in;

/** Creates an organization with a first organization key. */
public interface CreateOrganizationUseCase {
    NewOrganization create(String name);
}
