package chowder.domain;

/** The rule shared by every human-readable name: 1 to 128 characters, not blank, no control characters. */
public final class Names {
    public static final int MAX_LENGTH = 128;

    private Names() {}

    /** Returns the name trimmed, or throws a validation error naming {@code field}. */
    public static String check(String field, String name) {
        if (name == null || name.isBlank()) {
            throw ChowderException.validationFailed(field + " is required (1 to " + MAX_LENGTH + " characters).");
        }
        String trimmed = name.strip();
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_LENGTH) {
            throw ChowderException.validationFailed(field + " is longer than " + MAX_LENGTH + " characters.");
        }
        if (trimmed.codePoints().anyMatch(Character::isISOControl)) {
            throw ChowderException.validationFailed(field + " must not contain control characters.");
        }
        return trimmed;
    }
}
