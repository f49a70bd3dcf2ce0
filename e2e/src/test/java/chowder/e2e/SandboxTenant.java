package chowder.e2e;

/** One organization of {@link TwoSandboxedTenants} with one provisioned instance, and the secret it keeps in its workspace. */
record SandboxTenant(String name, String key, String instance, String secret) {}
