package chowder.application.service;

/**
 * How many keys one organization may hold, revoked and expired ones included: every key is a row, and a bound on
 * live keys alone would let create-and-revoke grow the table and the key list without end.
 */
public record KeyLimits(int maxPerOrganization) {
    public static final int DEFAULT_MAX_PER_ORGANIZATION = 1000;
    public static final KeyLimits DEFAULT = new KeyLimits(DEFAULT_MAX_PER_ORGANIZATION);

    public KeyLimits {
        if (maxPerOrganization < 1) {
            throw new IllegalArgumentException("max keys per organization must be at least 1");
        }
    }
}
