package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.Caller;

/** Register a gateway that already runs as an instance of the caller's organization; fields as the client sent them. */
public record RegisterInstanceCommand(Caller caller, String name, String gatewayUrl, String gatewayToken) {
    public RegisterInstanceCommand {
        requireNonNull(caller, "caller is null");
    }

    @Override
    public String toString() {
        return "RegisterInstanceCommand[caller=" + caller + ", name=" + name + ", gatewayUrl=" + gatewayUrl + ", gatewayToken=redacted]";
    }
}
