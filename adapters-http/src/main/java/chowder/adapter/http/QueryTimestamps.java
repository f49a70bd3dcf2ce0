package chowder.adapter.http;

import chowder.domain.ChowderException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The {@code from} and {@code to} of the usage routes (an instance's and the admin API's): ISO 8601 with an offset, in
 * years 1 to 9999 (UTC). Java reads years up to ±999,999,999, which no database stores (PostgreSQL's timestamps end at
 * 4713 BC and 294276 AD): such a query would fail in the database, a 500, instead of saying what is wrong.
 */
public final class QueryTimestamps {
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private QueryTimestamps() {}

    /** {@code text}, the query parameter {@code name}, as an instant; a 400 naming the parameter if it is not one of years 1 to 9999. */
    public static Instant instant(String name, String text) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ChowderException.invalidRequest(name + " must be an ISO 8601 timestamp with an offset, e.g. 2026-11-01T00:00:00Z.");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw ChowderException.invalidRequest(name + " must be from " + EARLIEST + " to " + LATEST + " (years 1 to 9999, UTC).");
        }
        return instant;
    }
}
