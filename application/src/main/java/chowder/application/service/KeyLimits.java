package chowder.application.service;

/**
 * How many keys one organization may hold, revoked and expired ones included: every key is a row, and a bound on
 * live keys alone would let create-and-revoke grow the table and the key list without end.
 */
public record KeyLimits(int maxPerOrganization) {
    public static final int DEFAULT_MAX_PER_ORGANIZATION = 1000;
    /** Two: an organization key is rotated by creating the new one before revoking the old. */
    public static final int MIN_PER_ORGANIZATION = 2;
    public static final KeyLimits DEFAULT = new KeyLimits(DEFAULT_MAX_PER_ORGANIZATION);

    public KeyLimits {
        if (maxPerOrganization < MIN_PER_ORGANIZATION) {
            throw new IllegalArgumentException("max keys per organization must be at least " + MIN_PER_ORGANIZATION
                    + " (an organization key is rotated by creating the new one first)");
        }
    }
}
