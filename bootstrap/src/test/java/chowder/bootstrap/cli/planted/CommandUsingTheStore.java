package chowder.bootstrap.cli.planted;

import chowder.adapter.persistence.MasterKeyRotation;

/** A planted violation for {@code ArchitectureRulesFailTest}: a command holding a store class instead of a use case. */
public final class CommandUsingTheStore {
    MasterKeyRotation rotation;
}
