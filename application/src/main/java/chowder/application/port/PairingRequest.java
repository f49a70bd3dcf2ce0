package chowder.application.port;

import java.time.Instant;

public record PairingRequest(String senderId, String senderLabel, Instant createdAt, Instant expiresAt) {}
