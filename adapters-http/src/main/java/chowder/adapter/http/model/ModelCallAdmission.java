package chowder.adapter.http.model;

import chowder.adapter.http.MinimumBodyRate;
import chowder.application.port.in.AuthorizeModelCallUseCase;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallGrant;
import chowder.application.port.in.AuthorizeModelCallUseCase.ModelCallMeter;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.MemoryBudget;
import chowder.domain.ModelProviderName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;

/**
 * Whether a gateway's model call may go to its provider, checked in {@link ModelProxyHandler}'s order: its path, its
 * credential, the calls at once of its instance and organization, its body, then the organization's rate and budgets.
 */
final class ModelCallAdmission {
    /** The first buffer of a body: grown by doubling as it arrives, up to the limit. */
    private static final int FIRST_BUFFER = 64 * 1024;

    private final AuthorizeModelCallUseCase calls;
    private final ModelEndpointConfig config;
    private final InFlightCalls inFlight;
    private final MemoryBudget heldBodies;

    ModelCallAdmission(AuthorizeModelCallUseCase calls, ModelEndpointConfig config, InFlightCalls inFlight, MemoryBudget heldBodies) {
        this.calls = calls;
        this.config = config;
        this.inFlight = inFlight;
        this.heldBodies = heldBodies;
    }

    /** The call, holding its place among the calls at once; a refusal is thrown ({@link ChowderException} or {@link ModelCallRefused}). */
    ModelCall admit(Request gatewayRequest) {
        String path = Request.getPathInContext(gatewayRequest);
        if (!path.startsWith(ModelProxyHandler.PREFIX) || path.indexOf('/', ModelProxyHandler.PREFIX.length()) < 0) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: this endpoint relays /providers/<name>/<call> only.");
        }
        int slash = path.indexOf('/', ModelProxyHandler.PREFIX.length());
        ModelProviderName provider;
        try {
            provider = new ModelProviderName(path.substring(ModelProxyHandler.PREFIX.length(), slash));
        } catch (ChowderException e) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: no such provider.");
        }
        String call = path.substring(slash + 1);
        if (!HttpMethod.POST.is(gatewayRequest.getMethod())) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: model calls are POST.");
        }
        ModelCallGrant grant = calls.authorize(credential(gatewayRequest), provider);
        if (!call.equals(grant.api().path())) {
            throw new ChowderException(ErrorCode.NOT_FOUND, "Not found: provider " + provider + " is called at /providers/" + provider
                    + "/" + grant.api().path() + " only.");
        }
        // Before the body is read: the bound on calls at once is also the bound on bodies held.
        InFlightCalls.Slot slot = inFlight.enter(grant.instance(), grant.organization());
        // The body is held until the call ends, counted as it grows: the organization's calls share its part of the memory
        // for request bodies with its turns.
        MemoryBudget.Hold held = heldBodies.open(grant.organization());
        try {
            // Refused for its body (a model not offered, say), a call never reaches the provider nor its rate and budgets.
            byte[] received = body(gatewayRequest, held);
            ModelCallBody body = ModelCallBody.of(received, grant.api(), grant.models(), grant.account(), config.outputEstimateTokens());
            if (body.bytes() != received) {
                // Rewritten: the copy is held from now on, the bytes received no longer.
                held.grow(body.bytes().length);
                held.shrink(received.length);
            }
            ModelCallMeter meter = grant.admission().admit(body.estimate().reservation());
            return new ModelCall(provider, grant, body, slot, held, meter);
        } catch (RuntimeException | Error e) {
            // An OutOfMemoryError included: a place or bytes left counted would stay so for the life of the process.
            slot.close();
            held.close();
            throw e;
        }
    }

    private static String credential(Request gatewayRequest) {
        String authorization = gatewayRequest.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        String apiKey = gatewayRequest.getHeaders().get("x-api-key");
        if (apiKey != null) {
            return apiKey.strip();
        }
        throw new ChowderException(ErrorCode.MISSING_API_KEY, "A model call needs its instance's credential (Authorization: Bearer, or x-api-key).");
    }

    /**
     * The whole body, read chunk by chunk (this is a virtual thread: waiting for more blocks it alone). A body over the
     * limit is refused with its rest left unread and the request not failed, so that the answer's drain
     * ({@code UnreadBodyLinger}) can drop what the client still sends: an {@code InputStream} closed early would fail the
     * request, and the connection would be reset under the answer.
     */
    private byte[] body(Request gatewayRequest, MemoryBudget.Hold held) {
        int max = config.maxRequestBytes();
        long declared = gatewayRequest.getLength();
        if (declared > max) {
            throw tooLarge();
        }
        // Grown as bytes come, never past what is declared: a declared length alone does not make Chowder hold that much.
        long cap = declared >= 0 ? declared : max;
        int first = (int) Math.min(cap, FIRST_BUFFER);
        held.grow(first);
        byte[] bytes = new byte[first];
        int length = 0;
        while (true) {
            Content.Chunk chunk = gatewayRequest.read();
            if (chunk == null) {
                awaitContent(gatewayRequest);
                continue;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    if (chunk.getFailure() instanceof MinimumBodyRate.TooSlow tooSlow) {
                        // The rest of the body will not be read: the connection ends after the answer, and says so.
                        throw new ModelCallRefused(Refusal.of(ChowderException.invalidRequest("The model call's body could not be read: "
                                + tooSlow.getMessage() + " (CHOWDER_HTTP_MIN_BODY_RATE).")), true);
                    }
                    throw unreadable();
                }
                ByteBuffer content = chunk.getByteBuffer();
                int size = content.remaining();
                if (size > max - length) {
                    throw tooLarge();
                }
                if (size > bytes.length - length) {
                    int grown = (int) Math.max(length + size, Math.min(cap, 2L * bytes.length));
                    held.grow(grown);
                    int previous = bytes.length;
                    bytes = Arrays.copyOf(bytes, grown);
                    held.shrink(previous);
                }
                content.get(bytes, length, size);
                length += size;
                if (chunk.isLast()) {
                    if (length == bytes.length) {
                        return bytes;
                    }
                    held.grow(length);
                    byte[] trimmed = Arrays.copyOf(bytes, length);
                    held.shrink(bytes.length);
                    return trimmed;
                }
            } finally {
                chunk.release();
            }
        }
    }

    private static void awaitContent(Request gatewayRequest) {
        try (Blocker.Runnable more = Blocker.runnable()) {
            gatewayRequest.demand(more);
            more.block();
        } catch (IOException e) {
            throw unreadable();
        }
    }

    private ChowderException tooLarge() {
        return new ChowderException(ErrorCode.PAYLOAD_TOO_LARGE, "A model call is at most " + config.maxRequestBytes() + " bytes.");
    }

    private static ChowderException unreadable() {
        return ChowderException.invalidRequest("The model call's body could not be read.");
    }
}
