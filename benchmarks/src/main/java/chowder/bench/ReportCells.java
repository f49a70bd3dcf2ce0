package chowder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/** The markdown rows and cell formats of the perf.md tables. */
final class ReportCells {
    private ReportCells() {}

    static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    static void cells(StringBuilder md, List<String> cells) {
        md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    static String yes(boolean met) {
        return met ? "yes" : "**no**";
    }

    static String mb(JsonNode value) {
        return value.isMissingNode() ? "–" : num(value.asDouble()) + " MB";
    }

    static String ratio(double a, double b) {
        return b == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    static String num(double value) {
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
