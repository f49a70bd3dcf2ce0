package chowder.application.planted;

import java.net.URI;

/** The control for {@code ArchitectureRulesFailTest}: a URI is a value, which the application may hold. */
public record ServiceHoldingAUri(URI endpoint) {
}
