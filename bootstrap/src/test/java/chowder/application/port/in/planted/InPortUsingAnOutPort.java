package chowder.application.port.in.planted;

import chowder.application.port.out.AgentGatewayPort;

/** A planted violation for {@code ArchitectureRulesFailTest}: a use case that exposes an out-port. */
public interface InPortUsingAnOutPort {
    AgentGatewayPort gateway();
}
