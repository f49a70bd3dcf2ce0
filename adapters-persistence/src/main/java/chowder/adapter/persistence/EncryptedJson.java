package chowder.adapter.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.SecureRandom;
import java.util.function.Function;

/**
 * A value stored as JSON encrypted with {@link SecretCipher}, bound to its row by the associated data: the settings of a
 * skill or a channel. Failures name the row's secret, never a value.
 */
final class EncryptedJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretCipher cipher;

    EncryptedJson(MasterKey key, SecureRandom random) {
        this.cipher = new SecretCipher(key, random);
    }

    /** @param unwritable what to throw when {@code value} cannot be written as JSON */
    String encrypt(String associatedData, Object value, Function<JsonProcessingException, RuntimeException> unwritable) {
        String json;
        try {
            json = JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw unwritable.apply(e);
        }
        return cipher.encrypt(associatedData, json);
    }

    /** @param secret names the row's secret in failures; {@code kind} says what the JSON should have been */
    <T> T decrypt(String associatedData, String stored, String secret, Class<T> type, String kind) {
        String json = cipher.decrypt(associatedData, stored, secret);
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            // Without Jackson's message or cause: both may quote the decrypted text.
            throw new IllegalStateException(secret + " decrypt to something other than " + kind);
        }
    }
}
