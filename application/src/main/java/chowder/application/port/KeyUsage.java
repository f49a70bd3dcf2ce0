package chowder.application.port;

import chowder.domain.ApiKeyId;
import chowder.domain.TokenUsage;

/** Usage of one key. */
public record KeyUsage(ApiKeyId keyId, long turns, TokenUsage usage) {}
