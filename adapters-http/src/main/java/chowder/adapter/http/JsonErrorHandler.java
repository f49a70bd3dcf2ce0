package chowder.adapter.http;

import chowder.adapter.http.observability.RequestIds;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a request it refuses before Javalin sees it: an undecodable URI, a
 * malformed request line) in the API's {@code {"detail": "…"}} format instead of an HTML page,
 * whatever the client's {@code Accept} header says.
 */
final class JsonErrorHandler extends ErrorHandler {
    private final ObjectMapper json;

    JsonErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int code = response.getStatus();
        String message = (String) request.getAttribute(ERROR_MESSAGE);
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException httpException) {
            code = httpException.getCode();
            response.setStatus(code);
            message = message == null ? httpException.getReason() : message;
        }
        generateCacheControl(response);
        // Refused before routing: no access log line, but the answer still names the request like every other.
        response.getHeaders().put(RequestIds.HEADER, RequestIds.saneOrFresh(request.getHeaders().get(RequestIds.HEADER)));
        if (HttpStatus.hasNoBody(code)) {
            callback.succeeded();
            return true;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(RequestIds.HEADER, RequestIds.fresh());
        return ByteBuffer.wrap(body(status, reason));
    }

    private byte[] body(int code, String message) {
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        String detail = code == 400 ? "Bad request: " + reason + " (check the URL's percent-encoding, which must be UTF-8)." : reason;
        try {
            return json.writeValueAsBytes(Map.of("detail", detail));
        } catch (JsonProcessingException e) {
            return ("{\"detail\":\"" + HttpStatus.getMessage(code) + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
