package chowder.e2e;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The base of the {@code SandboxEscape*Test} classes, one per attack family: the one {@link TwoSandboxedTenants} of the
 * run, its parts under short names, and its agents' shells. Every escape that worked against an unconfined gateway is
 * tried from both tenants at once and must fail; what an agent legitimately does must work.
 */
@Timeout(900)
@ExtendWith(TwoSandboxedTenants.Shared.class)
abstract class SandboxEscapeTestBase {
    static TwoSandboxedTenants tenants;
    static ChowderProcess chowder;
    static ChowderApi api;
    static SandboxTenant acme;
    static SandboxTenant globex;
    static List<CountingListener> listeners;

    @BeforeAll
    static void useTheSharedTenants(TwoSandboxedTenants shared) {
        tenants = shared;
        chowder = shared.chowder();
        api = shared.api();
        acme = shared.acme();
        globex = shared.globex();
        listeners = shared.listeners();
    }

    static String shell(SandboxTenant tenant, String command) {
        return tenants.shell(tenant, command);
    }

    static Map<SandboxTenant, String> both(Function<SandboxTenant, String> action) {
        return tenants.both(action);
    }

    static SandboxedInstance instance(SandboxTenant tenant) {
        return tenants.instance(tenant);
    }

    static int port(SandboxTenant tenant) {
        return tenants.port(tenant);
    }

    static ScriptedReply say(SandboxTenant tenant, String text) {
        return tenants.say(tenant, text);
    }
}
