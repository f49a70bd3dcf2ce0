package chowder.adapter.persistence;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Whether this process's master key is the database's, through the check value in {@code master_key_check}:
 * verified once at start (and recorded there by the first node), and again on every readiness probe, since another
 * process may rotate the key under a running node. Blocking.
 */
public final class MasterKeyVerification {
    /** What the start found. */
    public enum Outcome {
        /** The database's check value opens with this key. */
        MATCHES,
        /** The database had no check value (a new database, or one from before the check); this key's is stored now. */
        RECORDED,
        /** Another key: this process cannot decrypt the stored gateway tokens. */
        DIFFERS
    }

    private final Jdbi jdbi;
    private final MasterKey key;
    private final SecureRandom random = new SecureRandom();
    // The stored check value last seen to open with this key, so a readiness probe costs one row read.
    private final AtomicReference<String> verified = new AtomicReference<>();

    MasterKeyVerification(Jdbi jdbi, MasterKey key) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.key = requireNonNull(key, "key is null");
    }

    /** Compares this key with the database's check value, first storing this key's when the database has none. */
    public Outcome verifyOrRecord() {
        Optional<String> stored = jdbi.withExtension(MasterKeyCheckDao.class, MasterKeyCheckDao::find);
        if (stored.isPresent()) {
            return matches(stored.get()) ? Outcome.MATCHES : Outcome.DIFFERS;
        }
        // A database from before the check may hold tokens: they tell whether this key is the right one to record.
        Optional<InstanceDao.EncryptedToken> token = jdbi.withExtension(InstanceDao.class, InstanceDao::anyEncryptedToken);
        if (token.isPresent() && !decrypts(token.get())) {
            return Outcome.DIFFERS;
        }
        String value = MasterKeyCheck.seal(key, random);
        try {
            jdbi.useExtension(MasterKeyCheckDao.class, dao -> dao.insert(value, Instant.now()));
        } catch (UnableToExecuteStatementException recordedConcurrently) {
            // Another node starting at the same time stored its key's first: this one must be the same key.
            String theirs = jdbi.withExtension(MasterKeyCheckDao.class, MasterKeyCheckDao::find).orElseThrow(() -> recordedConcurrently);
            return matches(theirs) ? Outcome.MATCHES : Outcome.DIFFERS;
        }
        verified.set(value);
        return Outcome.RECORDED;
    }

    /** Whether the database's check value still opens with this key (none stored counts as a match). */
    boolean stillMatches() {
        return jdbi.withExtension(MasterKeyCheckDao.class, MasterKeyCheckDao::find).map(this::matches).orElse(true);
    }

    private boolean matches(String stored) {
        if (stored.equals(verified.get())) {
            return true;
        }
        if (!MasterKeyCheck.opens(key, stored)) {
            return false;
        }
        verified.set(stored);
        return true;
    }

    private boolean decrypts(InstanceDao.EncryptedToken token) {
        try {
            new GatewayTokenCipher(key, random).decrypt(new InstanceId(token.id()), token.gatewayTokenEncrypted());
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
