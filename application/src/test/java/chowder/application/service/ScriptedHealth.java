package chowder.application.service;

import chowder.application.port.out.GatewayAddressPolicyPort;
import chowder.application.port.out.GatewayHealthPort;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.GatewayUrl;
import chowder.domain.Instance;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A fake of gateway health and address policy: gateways answer as told, per host. */
public final class ScriptedHealth implements GatewayHealthPort, GatewayAddressPolicyPort {
    public final Set<String> downHosts = ConcurrentHashMap.newKeySet();
    public final Set<String> forbiddenHosts = ConcurrentHashMap.newKeySet();

    @Override
    public CompletionStage<Optional<String>> probe(Instance instance) {
        String host = instance.gatewayUrl().value().getHost();
        return CompletableFuture.completedFuture(downHosts.contains(host) ? Optional.of("connection refused") : Optional.empty());
    }

    @Override
    public void check(GatewayUrl url) {
        if (forbiddenHosts.contains(url.value().getHost())) {
            throw new ChowderException(ErrorCode.GATEWAY_ADDRESS_FORBIDDEN, "gateway_url points at a forbidden address.");
        }
    }
}
