package chowder.adapter.http.admin;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import io.javalin.http.Context;

/**
 * The before-handler of the admin routes: {@code Authorization: Bearer <CHOWDER_ADMIN_TOKEN>} or a 401. An API key is
 * just a wrong token here, and the presented value is never quoted. Each refusal is counted in the audit trail.
 */
final class AdminAuthentication {
    static final String MISSING = "Missing admin token: send 'Authorization: Bearer <CHOWDER_ADMIN_TOKEN>'.";
    static final String INVALID = "Invalid admin token.";
    private static final String BEARER = "bearer ";

    private final AdminToken token;
    private final AdminAudit audit;

    AdminAuthentication(AdminToken token, AdminAudit audit) {
        this.token = requireNonNull(token, "token is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    void authenticate(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization == null || authorization.isBlank()) {
            throw refused(ctx, new ChowderException(ErrorCode.MISSING_API_KEY, MISSING));
        }
        boolean bearer = authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
        String presented = bearer ? authorization.substring(BEARER.length()).strip() : null;
        if (presented == null || presented.isEmpty()) {
            throw refused(ctx, new ChowderException(bearer ? ErrorCode.MISSING_API_KEY : ErrorCode.INVALID_API_KEY, bearer ? MISSING : INVALID));
        }
        if (!token.matches(presented)) {
            throw refused(ctx, new ChowderException(ErrorCode.INVALID_API_KEY, INVALID));
        }
    }

    private ChowderException refused(Context ctx, ChowderException refusal) {
        audit.refused(ctx.req().getRemoteAddr());
        return refusal;
    }
}
