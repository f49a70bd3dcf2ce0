package chowder.adapter.http.observability;

import io.javalin.http.Context;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * The id a request is known by in the access log, in application log lines ({@code request_id} in the MDC), in
 * the {@code X-Request-Id} answer header and at the gateway. A client's own {@code X-Request-Id} is kept when it
 * is sane (up to 128 characters of {@code [A-Za-z0-9._:+/=-]}); anything else is replaced by a fresh id, so that
 * no attacker-chosen text reaches the logs.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request_id";
    static final int MAX_LENGTH = 128;
    private static final String ATTRIBUTE = "chowder.request-id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:+/=-]{1," + MAX_LENGTH + "}");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** The before-handler that runs first: takes or makes the id and answers with it, whatever happens later. */
    public static void assign(Context ctx) {
        String id = saneOrFresh(ctx.header(HEADER));
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
        MDC.put(MDC_KEY, id);
    }

    /** The request's id (a fresh one for a request that never went through {@link #assign}). */
    static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? fresh() : id;
    }

    public static String saneOrFresh(String candidate) {
        return candidate != null && SANE.matcher(candidate).matches() ? candidate : fresh();
    }

    /** 128 random bits in hex: an id to correlate by, not a secret, so no SecureRandom on the hot path. */
    public static String fresh() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            id[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
            id[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
        }
        return new String(id);
    }
}
