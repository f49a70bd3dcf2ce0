package chowder.domain;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A path inside an instance's workspace as a client names it: relative, {@code /}-separated, without
 * {@code .} or {@code ..} segments, empty segments, backslashes or control characters, at most
 * {@value #MAX_LENGTH} characters with segments of at most 255 UTF-8 bytes. The empty path is the
 * workspace itself. Symbolic links are the store's to refuse: this type knows no file system.
 */
public record WorkspacePath(String value) {
    public static final int MAX_LENGTH = 1024;
    public static final WorkspacePath ROOT = new WorkspacePath("");
    private static final int MAX_SEGMENT_BYTES = 255;

    public WorkspacePath {
        requireNonNull(value, "value is null");
        if (!value.isEmpty()) {
            check(value);
        }
    }

    /**
     * Reads a client's path; a missing or empty one, or {@code .} (the hosted API's name for it), means the
     * workspace itself, refused unless {@code rootAllowed}.
     */
    public static WorkspacePath of(String raw, String field, boolean rootAllowed) {
        String path = raw == null ? "" : raw;
        // A trailing slash names the same directory; anything else stays as sent.
        while (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isEmpty() || path.equals(".")) {
            if (rootAllowed) {
                return ROOT;
            }
            throw ChowderException.invalidRequest(field + " is required: a file path inside the workspace, such as notes/todo.md.");
        }
        try {
            return new WorkspacePath(path);
        } catch (IllegalArgumentException e) {
            throw ChowderException.invalidRequest(field + " " + e.getMessage());
        }
    }

    /** Whether {@code value} is a path a client could name (the root included): what a listing can show. */
    public static boolean isValid(String value) {
        try {
            new WorkspacePath(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public boolean isRoot() {
        return value.isEmpty();
    }

    public List<String> segments() {
        return value.isEmpty() ? List.of() : List.of(value.split("/"));
    }

    /** The last segment (a file's name), or empty for the root. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    private static void check(String value) {
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " characters.");
        }
        if (value.startsWith("/")) {
            throw new IllegalArgumentException("must be relative to the workspace, not absolute.");
        }
        if (value.indexOf('\\') >= 0 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("must not contain backslashes or control characters.");
        }
        // A lone surrogate (JSON's "\ud800") has no UTF-8 form: no file on the disk has that name.
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
            throw new IllegalArgumentException("must be valid Unicode text (it holds a lone surrogate).");
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("must not contain empty, '.' or '..' segments.");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("has a segment longer than " + MAX_SEGMENT_BYTES + " bytes.");
            }
        }
    }
}
