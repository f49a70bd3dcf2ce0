package chowder.application.port;

import chowder.domain.TokenUsage;
import java.util.List;

/** Usage totals. */
public record UsageReport(long turns, TokenUsage usage, List<KeyUsage> byKey) {}
