package chowder.bench;

import static chowder.bench.ReportCells.cells;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** The tables of a run's JFR profile of Chowder, for docs/perf.md: where the CPU goes and what allocates. */
final class ProfileTables {
    private ProfileTables() {}

    static void append(StringBuilder md, JsonNode r) {
        JsonNode p = r.path("profile");
        if (p.isMissingNode()) {
            return;
        }
        md.append("#### JFR profile of Chowder under 64 clients (").append(p.path("cpu_samples").asText()).append(" CPU samples)\n\n");
        md.append("Where the CPU goes, by layer (exclusive: each sample counts once, for the first layer from the top of "
                + "its stack; JDK code counts for the layer that called it):\n\n");
        shareTable(md, p.path("layer_self_pct"), "layer");
        md.append("Inclusive: share of samples whose stack passes through each layer (a sample counts for every layer on "
                + "its stack; Javalin and Jetty wrap everything):\n\n");
        shareTable(md, p.path("layer_share_pct"), "layer");
        md.append("Chowder methods on the stack (inclusive):\n\n");
        shareTable(md, p.path("chowder_methods_inclusive_pct"), "method");
        md.append("Top of stack (self time):\n\n");
        shareTable(md, p.path("top_frames_pct"), "method");
        md.append("Allocation by class (share of sampled bytes):\n\n");
        shareTable(md, p.path("allocation_by_class_pct"), "class");
    }

    private static void shareTable(StringBuilder md, JsonNode shares, String what) {
        md.append("| ").append(what).append(" | % |\n|---|---:|\n");
        for (Iterator<String> it = shares.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            cells(md, List.of("`" + name + "`", String.format(Locale.ROOT, "%.1f", shares.path(name).asDouble())));
        }
        md.append('\n');
    }
}
