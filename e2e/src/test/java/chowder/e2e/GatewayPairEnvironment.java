package chowder.e2e;

import chowder.e2e.ChowderProcess.Organization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Chowder as a real process in front of two real OpenClaw gateways, one scripted model, and the official OpenAI SDK,
 * shared by the {@code ChowderWithRealGateway*Test} classes (starting a gateway costs 15-45 s of CPU): gateway
 * {@code alpha} alone holds the session ids that the gateway's own normalisation would merge, {@code beta} the default
 * session and the hosted examples. Every test uses session ids of its own, so results do not depend on the order of
 * the tests; a test that stops a gateway starts one of its own.
 */
final class GatewayPairEnvironment implements AutoCloseable {
    /** The extension that gives a test class the one environment of the run. */
    static final class Shared extends SharedEnvironment<GatewayPairEnvironment> {
        Shared() {
            super(GatewayPairEnvironment.class, GatewayPairEnvironment::start);
        }
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private ScriptedModelServer model;
    private OpenClawGateway alpha;
    private OpenClawGateway beta;
    private ChowderProcess chowder;
    private OpenAiSdk sdk;
    private GatewayTurns turns;
    private Organization otherOrganization;

    private GatewayPairEnvironment() {}

    /** Long enough for a first install of OpenClaw and the SDK (one to three minutes) on a slow network. */
    static GatewayPairEnvironment start() {
        return SharedEnvironment.started(new GatewayPairEnvironment(), GatewayPairEnvironment::startModelGatewaysAndChowder);
    }

    private void startModelGatewaysAndChowder() {
        long started = System.nanoTime();
        model = track(ScriptedModelServer.start());
        // Everything slow starts at once: gateways take 10-25 s each to become ready.
        CompletableFuture<OpenClawGateway> alphaStart;
        CompletableFuture<OpenClawGateway> betaStart;
        CompletableFuture<ChowderProcess> chowderStart;
        CompletableFuture<OpenAiSdk> sdkStart;
        try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
            alphaStart = async(starter, () -> OpenClawGateway.start(model));
            betaStart = async(starter, () -> OpenClawGateway.start(model));
            chowderStart = async(starter, ChowderProcess::start);
            sdkStart = async(starter, OpenAiSdk::locate);
        }
        // Closing the executor waited for all starts; whatever started is tracked before any failure is thrown.
        List<Throwable> failures = new ArrayList<>();
        alpha = started(alphaStart, failures);
        beta = started(betaStart, failures);
        chowder = started(chowderStart, failures);
        sdk = sdkStart.exceptionally(failure -> {
            failures.add(failure);
            return null;
        }).join();
        if (!failures.isEmpty()) {
            AssertionError failure = new AssertionError("the end-to-end environment did not start", unwrap(failures.getFirst()));
            failures.subList(1, failures.size()).forEach(other -> failure.addSuppressed(unwrap(other)));
            throw failure;
        }
        ChowderApi api = new ChowderApi(chowder.baseUrl());
        Organization organization = chowder.createOrganization("E2E Org");
        otherOrganization = chowder.createOrganization("Other Org");
        String alphaId = api.registerInstance(organization.apiKey(), "alpha", alpha.baseUrl(), alpha.token());
        String betaId = api.registerInstance(organization.apiKey(), "beta", beta.baseUrl(), beta.token());
        for (String id : List.of(alphaId, betaId)) {
            api.awaitRunning(organization.apiKey(), id, Duration.ofSeconds(60));
        }
        turns = new GatewayTurns(chowder, api, organization, model, Map.of(alphaId, alpha, betaId, beta), alphaId, betaId);

        // The first agent turn after a gateway starts takes 9-17 s; later ones well under a second.
        try (ExecutorService warmer = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<ScriptedReply>> warmUps = List.of(alphaId, betaId).stream()
                    .map(id -> async(warmer, () -> turns.turn(id, "warm-up", "warm up")))
                    .toList();
            warmUps.forEach(GatewayPairEnvironment::join);
        }
        System.out.printf("environment ready in %s (gateways ready after %s and %s)%n",
                Duration.ofNanos(System.nanoTime() - started), alpha.startupTime(), beta.startupTime());
    }

    /** Turns and API calls on the two gateways' instances, as the organization that owns them. */
    GatewayTurns turns() {
        return turns;
    }

    ScriptedModelServer model() {
        return model;
    }

    OpenClawGateway alpha() {
        return alpha;
    }

    OpenClawGateway beta() {
        return beta;
    }

    ChowderProcess chowder() {
        return chowder;
    }

    OpenAiSdk sdk() {
        return sdk;
    }

    /** An organization that owns no instance. */
    Organization otherOrganization() {
        return otherOrganization;
    }

    @Override
    public void close() {
        // Reverse order: Chowder before the gateways, the model last.
        RuntimeException failure = null;
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("the end-to-end environment did not close cleanly", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private <T extends AutoCloseable> T started(CompletableFuture<T> start, List<Throwable> failures) {
        return start.handle((resource, failure) -> {
            if (failure != null) {
                failures.add(failure);
                return null;
            }
            return track(resource);
        }).join();
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private synchronized <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private static <T> CompletableFuture<T> async(ExecutorService executor, Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, executor);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }
}
