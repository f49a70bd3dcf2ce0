package chowder.application.port.planted;

import chowder.application.service.TurnService;

/** A planted violation for {@code ArchitectureRulesFailTest}: a port that names a service. */
public interface PortUsingAService {
    TurnService turns();
}
