package chowder.bootstrap;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads Chowder's variables: an unset (or blank) variable is the default, which each adapter's config record defines
 * once as a typed value; a set one is parsed, and any failure becomes one message naming the variable. What
 * {@link #secret} reads is never shown, in a message or anywhere else.
 */
record EnvironmentReader(Map<String, String> env) {

    String text(String name, String defaultValue) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value.strip();
    }

    /** The variable parsed, or {@code defaultValue} when it is unset. */
    <T> T value(String name, T defaultValue, Function<String, T> parse) {
        String text = text(name, null);
        return text == null ? defaultValue : parse(name, text, parse, false);
    }

    /** A secret key or token: never part of a message; surrounding white space is dropped, and a blank one is unset. */
    java.util.Optional<Secret> secret(String name, Function<String, String> check) {
        String text = text(name, null);
        return text == null ? java.util.Optional.empty() : java.util.Optional.of(new Secret(parse(name, text, check, true)));
    }

    /** A password, exactly as given (spaces may be part of it): never part of a message, and unset when empty. */
    java.util.Optional<Secret> password(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(new Secret(value));
    }

    /**
     * Builds a config record from variables already read: a check across them (a lease longer than a poll interval)
     * fails with a message naming them all.
     */
    static <T> T combined(Supplier<T> build, String... names) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(String.join(" and ", names) + " are invalid: " + e.getMessage());
        }
    }

    /** Parses a set variable; only a rejection shows its value, redacted, and never a secret's. */
    private static <T> T parse(String name, String text, Function<String, T> parse, boolean secret) {
        try {
            return parse.apply(text);
        } catch (RuntimeException e) {
            String reason = e instanceof NumberFormatException ? "not a number" : e.getMessage();
            String shown = secret ? "(hidden)" : ChowderConfig.redacted(text);
            throw new InvalidConfigurationException(name + "=" + shown + " is invalid: " + reason);
        }
    }

    static <N extends Number> N positive(N number) {
        if (number.longValue() < 1) {
            throw new IllegalArgumentException("must be at least 1");
        }
        return number;
    }

    static int positiveInt(String text) {
        return positive(Integer.parseInt(text));
    }

    static long positiveLong(String text) {
        return positive(Long.parseLong(text));
    }

    static int port(String text) {
        int port = Integer.parseInt(text);
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("must be a port number from 0 to 65535");
        }
        return port;
    }

    static long size(String text) {
        long size = Long.parseLong(text);
        if (size < 0) {
            throw new IllegalArgumentException("must be 0 (off) or more");
        }
        return size;
    }

    static boolean bool(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    /** One of two words, for a switch such as {@code on}/{@code off}. */
    static Function<String, Boolean> either(String on, String off) {
        return text -> {
            if (text.equals(on)) {
                return true;
            }
            if (text.equals(off)) {
                return false;
            }
            throw new IllegalArgumentException("expected " + on + " or " + off);
        };
    }

    /** A size in bytes: a number, or with a binary suffix ({@code 512M}, {@code 2G}, {@code 64K}). */
    static long bytes(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        int unit = switch (upper.isEmpty() ? ' ' : upper.charAt(upper.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        long number = Long.parseLong(unit == 0 ? upper : upper.substring(0, upper.length() - 1).strip());
        if (number < 0 || number > Long.MAX_VALUE >> unit) {
            throw new IllegalArgumentException("out of range");
        }
        return number << unit;
    }

    static Duration positiveDuration(String text) {
        Duration duration = Durations.parse(text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("must be longer than zero");
        }
        return duration;
    }

    /** A value the operator sets that must never be shown: its {@link #toString()} hides it. */
    record Secret(String value) {
        @Override
        public String toString() {
            return "(hidden)";
        }
    }
}
