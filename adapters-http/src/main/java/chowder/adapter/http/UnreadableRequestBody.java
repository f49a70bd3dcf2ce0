package chowder.adapter.http;

/**
 * Reading a request body failed: the connection broke or stalled, or its chunked encoding is invalid (Jetty's
 * {@code EofException}, {@code BadMessageException}, or another I/O failure of the request's input). It is the
 * client's doing, so {@link ErrorResponses} answers 400 and logs it quietly. Thrown only where the body is read:
 * the same Jetty exceptions from a gateway connection are no client's fault.
 */
public final class UnreadableRequestBody extends RuntimeException {
    public UnreadableRequestBody(Throwable cause) {
        super("the request body could not be read", cause);
    }
}
