package chowder.adapter.planted;

import chowder.application.port.out.StoreHealthPort;

/** A planted violation for {@code ArchitectureRulesFailTest}: a port implementation others could name and construct. */
public abstract class PublicPortImplementation implements StoreHealthPort {
}
