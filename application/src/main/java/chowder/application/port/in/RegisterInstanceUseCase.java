package chowder.application.port.in;

import chowder.domain.Instance;

/** Registers an existing OpenClaw gateway as a new instance. */
public interface RegisterInstanceUseCase {
    Instance register(RegisterInstanceCommand command);
}
