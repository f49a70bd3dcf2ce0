package chowder.application.service;

import static java.util.Objects.requireNonNull;

import chowder.domain.InstanceId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The credentials provisioned gateways present to Chowder's model endpoint, one per started instance, held in memory
 * only: a gateway runs on this node and dies with it, and a credential dies with its instance's stop. Only their
 * SHA-256 is kept. A credential reaches no provider and no other instance; the agent may read it (it is in its
 * gateway's environment), and can then spend only what its own instance may.
 */
public final class ModelCredentials {
    private static final String PREFIX = "chm_";
    private static final int RANDOM_BYTES = 32;

    private final SecureRandom random;
    private final Map<String, InstanceId> instanceByDigest = new ConcurrentHashMap<>();
    private final Map<InstanceId, String> digestByInstance = new ConcurrentHashMap<>();

    public ModelCredentials(SecureRandom random) {
        this.random = requireNonNull(random, "random is null");
    }

    /** A fresh credential for the instance; the one it had before stops working. */
    public String issue(InstanceId instance) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        String credential = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String digest = digest(credential);
        instanceByDigest.put(digest, instance);
        String previous = digestByInstance.put(instance, digest);
        if (previous != null) {
            instanceByDigest.remove(previous, instance);
        }
        return credential;
    }

    public void revoke(InstanceId instance) {
        String digest = digestByInstance.remove(instance);
        if (digest != null) {
            instanceByDigest.remove(digest, instance);
        }
    }

    Optional<InstanceId> instanceOf(String credential) {
        if (credential == null || !credential.startsWith(PREFIX) || credential.length() > 128) {
            return Optional.empty();
        }
        return Optional.ofNullable(instanceByDigest.get(digest(credential)));
    }

    // A map lookup by digest, not by the credential: timing reveals nothing of a stored credential.
    private static String digest(String credential) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
