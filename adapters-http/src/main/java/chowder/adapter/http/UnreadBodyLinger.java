package chowder.adapter.http;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The control plane's counterpart of the relay's drain: a route that answers before it read the body (a wrong key, a
 * body or upload over its limit, no such instance) ends the connection after the answer, and the rest of the body is
 * read and dropped ({@link UnreadBodyDrain}) between the answer's bytes and its end. Jetty's servlet layer would instead
 * consume what has arrived and close on the rest, and the reset takes the answer with it from a client still sending
 * (Java's HttpClient then reports "header parser received no bytes"; curl a broken pipe).
 *
 * <p>Sits between the relay and the servlet layer, and in front of the model endpoint's relay. A request whose body was
 * read, or had none, passes through as it is.
 */
public final class UnreadBodyLinger extends Handler.Wrapper {
    private final Duration linger;

    public UnreadBodyLinger(Duration linger) {
        this.linger = requireNonNull(linger, "linger is null");
    }

    public UnreadBodyLinger(Duration linger, Handler handler) {
        this(linger);
        setHandler(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        LingeringRequest lingering = new LingeringRequest(request);
        return super.handle(lingering, new LingeringResponse(lingering, response), callback);
    }

    /** Tells the servlet layer that a body still coming was not consumed, without Jetty's consume (which fails later reads). */
    private static final class LingeringRequest extends Request.Wrapper {
        private UnreadBodyDrain.Rest rest;

        LingeringRequest(Request request) {
            super(request);
        }

        @Override
        public boolean consumeAvailable() {
            return switch (rest()) {
                case NONE -> true;
                // Left to the answer's end to drain: Jetty's consume would fail every read after it.
                case COMING -> false;
                // Nothing will come: Jetty's own way (no 100 Continue, the connection closes after the answer).
                case HELD_BACK -> super.consumeAvailable();
            };
        }

        UnreadBodyDrain.Rest rest() {
            // Once COMING, the body stays unread until drained; NONE and HELD_BACK do not change either.
            if (rest == null) {
                rest = UnreadBodyDrain.rest(getWrapped());
            }
            return rest;
        }
    }

    private final class LingeringResponse extends Response.Wrapper {
        private final LingeringRequest request;

        LingeringResponse(LingeringRequest request, Response response) {
            super(request, response);
            this.request = request;
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            if (!last || request.rest() != UnreadBodyDrain.Rest.COMING) {
                super.write(last, content, callback);
                return;
            }
            if (!isCommitted()) {
                // The answer whole, with its length: the client can read it while the connection still takes its body.
                getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
                if (!getHeaders().contains(HttpHeader.CONTENT_LENGTH)) {
                    getHeaders().put(HttpHeader.CONTENT_LENGTH, BufferUtil.length(content));
                }
            }
            UnreadBodyDrain.writeThenDrain(request.getWrapped(), linger, super::write, content, callback);
        }
    }
}
