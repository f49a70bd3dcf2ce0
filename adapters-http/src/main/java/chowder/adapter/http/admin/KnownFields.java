package chowder.adapter.http.admin;

import chowder.domain.ChowderException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The fields an admin body may hold. An unknown one is refused (422) rather than ignored: {@code {"suspend": true}}
 * must not answer 200 having changed nothing.
 */
final class KnownFields {
    private static final int SHOWN_NAME_LENGTH = 64;

    private KnownFields() {}

    /**
     * Throws a validation error naming the first field of {@code body} not in {@code fields}, and the fields allowed.
     *
     * @param where what the field's name is prefixed with in the message ({@code "limits."} for a nested object)
     * @param what what a known field is, in "x is not {@code what}" (e.g. "a plan field")
     */
    static void require(ObjectNode body, Set<String> fields, String where, String what) {
        body.fieldNames().forEachRemaining(name -> {
            if (!fields.contains(name)) {
                throw ChowderException.validationFailed(where + shorten(name) + " is not " + what + "; the fields are "
                        + fields.stream().sorted().toList() + ".");
            }
        });
    }

    private static String shorten(String text) {
        return text.length() <= SHOWN_NAME_LENGTH ? text : text.substring(0, SHOWN_NAME_LENGTH) + "…";
    }
}
