package chowder.adapter.http;

import chowder.application.port.in.AuthenticateUseCase;
import chowder.domain.Caller;
import io.javalin.http.Context;

/** The before-handler that authenticates {@code Authorization: Bearer <key>} and remembers the caller. */
public final class BearerAuthentication {
    private static final String ATTRIBUTE = "chowder.caller";
    private static final String BEARER = "bearer ";

    private final AuthenticateUseCase authentication;

    BearerAuthentication(AuthenticateUseCase authentication) {
        this.authentication = authentication;
    }

    public void authenticate(Context ctx) {
        ctx.attribute(ATTRIBUTE, authenticate(ctx.header("Authorization")));
    }

    /** The caller an {@code Authorization} header's key belongs to (else a 401's exception). */
    public Caller authenticate(String authorization) {
        return authentication.authenticate(bearerToken(authorization));
    }

    /** The authenticated caller, or null when the request has none (yet). */
    public static Caller find(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    public static Caller of(Context ctx) {
        Caller caller = ctx.attribute(ATTRIBUTE);
        if (caller == null) {
            throw new IllegalStateException("route " + ctx.path() + " is not behind authentication");
        }
        return caller;
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length());
    }
}
