package chowder.adapter.http.responses;

import chowder.adapter.http.sessions.SessionIdSegment;
import chowder.domain.ChowderException;
import chowder.domain.InstanceId;
import chowder.domain.SessionId;

/**
 * Which of the two responses routes a raw (still percent-encoded) request path is, with its segments: the default
 * session ({@value #DEFAULT_SESSION}) or a named one ({@value #NAMED_SESSION}). Matched as Javalin matches its
 * routes: a parameter is one non-empty segment, and one trailing slash is ignored.
 */
record ResponsesRoute(String template, String instanceSegment, String sessionSegment) {
    static final String DEFAULT_SESSION = "/v1/instances/{id}/responses";
    static final String NAMED_SESSION = "/v1/instances/{id}/session/{session_id}/responses";
    private static final String PREFIX = "/v1/instances/";
    private static final String SUFFIX = "/responses";
    private static final String SESSION = "/session/";

    /** The route {@code rawPath} is, or null when it is neither. */
    static ResponsesRoute match(String rawPath) {
        String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX) || path.length() <= PREFIX.length() + SUFFIX.length()) {
            return null;
        }
        String middle = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        int slash = middle.indexOf('/');
        if (slash < 0) {
            return new ResponsesRoute(DEFAULT_SESSION, middle, null);
        }
        String instance = middle.substring(0, slash);
        String rest = middle.substring(slash);
        if (instance.isEmpty() || !rest.startsWith(SESSION) || rest.length() == SESSION.length()
                || rest.indexOf('/', SESSION.length()) >= 0) {
            return null;
        }
        return new ResponsesRoute(NAMED_SESSION, instance, rest.substring(SESSION.length()));
    }

    /** The instance the route names, or null when its segment is no instance id (a 404 once the caller is known). */
    InstanceId instanceId() {
        try {
            return InstanceId.parse(instanceSegment);
        } catch (ChowderException notAnInstanceId) {
            return null;
        }
    }

    /** The session the route names: {@code main} for the default route. */
    SessionId sessionId() {
        return sessionSegment == null ? SessionId.MAIN : SessionIdSegment.decode(sessionSegment);
    }
}
