package chowder.adapter.http.admin;

import static java.util.Objects.requireNonNull;

import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import io.javalin.http.Context;

/**
 * The before-handler of the admin routes: {@code Authorization: Bearer <CHOWDER_ADMIN_TOKEN>} or a 401. An API key is
 * just a wrong token here, and the presented value is never quoted.
 */
final class AdminAuthentication {
    static final String MISSING = "Missing admin token: send 'Authorization: Bearer <CHOWDER_ADMIN_TOKEN>'.";
    static final String INVALID = "Invalid admin token.";
    private static final String BEARER = "bearer ";

    private final AdminToken token;

    AdminAuthentication(AdminToken token) {
        this.token = requireNonNull(token, "token is null");
    }

    void authenticate(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization == null || authorization.isBlank()) {
            throw new ChowderException(ErrorCode.MISSING_API_KEY, MISSING);
        }
        boolean bearer = authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
        String presented = bearer ? authorization.substring(BEARER.length()).strip() : null;
        if (presented == null || presented.isEmpty()) {
            throw new ChowderException(bearer ? ErrorCode.MISSING_API_KEY : ErrorCode.INVALID_API_KEY, bearer ? MISSING : INVALID);
        }
        if (!token.matches(presented)) {
            throw new ChowderException(ErrorCode.INVALID_API_KEY, INVALID);
        }
    }
}
