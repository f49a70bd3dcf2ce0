package chowder.adapter.planted;

import chowder.application.service.TurnService;

/** A planted violation for {@code ArchitectureRulesFailTest}: an adapter holding a service instead of a port. */
public final class AdapterUsingAService {
    TurnService turns;
}
