package chowder.application.port.in;

import static java.util.Objects.requireNonNull;

import chowder.domain.Caller;
import java.util.Optional;

/** Register a gateway that already runs as an instance of the caller's organization; fields as the client sent them. */
public record RegisterInstanceCommand(
        Caller caller,
        String name,
        String gatewayUrl,
        String gatewayToken,
        Optional<String> modelProvider,
        Optional<String> openclawConfigJson,
        Optional<String> region) {
    public RegisterInstanceCommand {
        requireNonNull(caller, "caller is null");
        requireNonNull(modelProvider, "modelProvider is null");
        requireNonNull(openclawConfigJson, "openclawConfigJson is null");
        requireNonNull(region, "region is null");
    }

    public static RegisterInstanceCommand of(Caller caller, String name, String gatewayUrl, String gatewayToken) {
        return new RegisterInstanceCommand(caller, name, gatewayUrl, gatewayToken, Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return "RegisterInstanceCommand[caller=" + caller + ", name=" + name + ", gatewayUrl=" + gatewayUrl + ", gatewayToken=redacted]";
    }
}
