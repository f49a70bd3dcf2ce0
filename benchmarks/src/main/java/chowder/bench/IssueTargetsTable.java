package chowder.bench;

import static chowder.bench.ReportCells.cells;
import static chowder.bench.ReportCells.mb;
import static chowder.bench.ReportCells.num;
import static chowder.bench.ReportCells.ratio;
import static chowder.bench.ReportCells.yes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The table of a run's figures against the performance targets of issue #20, for docs/perf.md, with the same figure of
 * Jetty's own proxy ({@link JettyProxy}) beside Chowder's where the run measured it: a target that proxy misses too is
 * beyond what the stack the relay is built on reaches as shipped.
 */
final class IssueTargetsTable {
    private static final String JETTY = BenchServers.JETTY_PROXY;
    private static final String NOT_MEASURED = "–";

    private IssueTargetsTable() {}

    static void append(StringBuilder md, JsonNode r) {
        JsonNode one = r.path("latency").path("1");
        double directP50 = one.path("direct").path("latency_us").path("p50").asDouble();
        double directP99 = one.path("direct").path("latency_us").path("p99").asDouble();
        double chowderP50 = one.path("chowder").path("latency_us").path("p50").asDouble() - directP50;
        double chowderP99 = one.path("chowder").path("latency_us").path("p99").asDouble() - directP99;
        JsonNode tp = r.path("throughput");
        double nginxRps = tp.path("nginx").path("requests_per_s").asDouble();
        double tpRatio = tp.path("chowder").path("requests_per_s").asDouble() / nginxRps;
        JsonNode o = r.path("open_streams");
        md.append("#### Against the targets of issue #20\n\n| target | measured | met | Jetty's own proxy, same run |\n|---|---|---|---|\n");
        double nginxP50 = one.path("nginx").path("latency_us").path("p50").asDouble() - directP50;
        String jettyP50 = one.has(JETTY) ? added(one.path(JETTY).path("latency_us").path("p50").asDouble() - directP50, nginxP50) : NOT_MEASURED;
        // A measure a --only run left out has no row; one that failed says so.
        if (one.has("chowder")) {
            cells(md, List.of("added median at 1 client ≤ 2× nginx's", num(chowderP50) + " µs vs nginx " + num(nginxP50) + " µs ("
                    + ratio(chowderP50, nginxP50) + ")", yes(chowderP50 <= 2 * nginxP50), jettyP50));
        } else {
            failed(md, r, "latency", "added median at 1 client ≤ 2× nginx's");
        }
        if (tp.has("chowder")) {
            cells(md, List.of("≥ 0.6× nginx's throughput at 64 clients", String.format(Locale.ROOT, "%.2f×", tpRatio), yes(tpRatio >= 0.6),
                    tp.has(JETTY) ? String.format(Locale.ROOT, "%.2f×", tp.path(JETTY).path("requests_per_s").asDouble() / nginxRps) : NOT_MEASURED));
        } else {
            failed(md, r, "throughput", "≥ 0.6× nginx's throughput at 64 clients");
        }
        if (one.has("portkey")) {
            double portkeyP99 = one.path("portkey").path("latency_us").path("p99").asDouble() - directP99;
            cells(md, List.of("added p99 at 1 client ≤ Portkey's / 10", num(chowderP99) + " µs vs Portkey " + num(portkeyP99) + " µs ("
                    + ratio(portkeyP99, chowderP99) + " lower)", yes(chowderP99 * 10 <= portkeyP99),
                    one.has(JETTY) ? num(one.path(JETTY).path("latency_us").path("p99").asDouble() - directP99) + " µs" : NOT_MEASURED));
        }
        JsonNode streaming = r.path("streaming");
        for (String[] measure : List.of(new String[] {"first_event_us", "added time to first event"}, new String[] {"event_delay_us", "added per-event delay"})) {
            double floor = streaming.path("direct").path(measure[0]).path("p50").asDouble();
            double nginx = streaming.path("nginx").path(measure[0]).path("p50").asDouble() - floor;
            double chowder = streaming.path("chowder").path(measure[0]).path("p50").asDouble() - floor;
            if (streaming.path("chowder").has(measure[0])) {
                cells(md, List.of("streaming: " + measure[1] + " (p50) ≤ 2× nginx's", num(chowder) + " µs vs nginx " + num(nginx) + " µs ("
                        + ratio(chowder, nginx) + ")", yes(chowder <= 2 * nginx),
                        streaming.path(JETTY).has(measure[0]) ? added(streaming.path(JETTY).path(measure[0]).path("p50").asDouble() - floor, nginx) : NOT_MEASURED));
            }
        }
        JsonNode big = r.path("big_body");
        if (big.has("chowder")) {
            double nginxMs = big.path("nginx").path("median_ms").asDouble();
            double time = big.path("chowder").path("median_ms").asDouble() / nginxMs;
            double copies = big.path("chowder").path("allocated_per_request_x_body").asDouble();
            cells(md, List.of("10 MB body: time ≤ 2× nginx's", String.format(Locale.ROOT, "%.2f×", time), yes(time <= 2),
                    big.has(JETTY) ? String.format(Locale.ROOT, "%.2f×", big.path(JETTY).path("median_ms").asDouble() / nginxMs) : NOT_MEASURED));
            cells(md, List.of("10 MB body: bytes allocated ≤ 2× the body", String.format(Locale.ROOT, "%.1f×", copies), yes(copies <= 2), NOT_MEASURED));
        }
        JsonNode allocation = r.path("allocation");
        if (allocation.has("bytes_per_request")) {
            double kb = allocation.path("bytes_per_request").asDouble() / 1024;
            JsonNode jetty = r.path("allocation_jetty_proxy");
            cells(md, List.of("allocation per small request ≤ 8 KB", String.format(Locale.ROOT, "%.1f KB", kb), yes(kb <= 8),
                    jetty.has("bytes_per_request") ? String.format(Locale.ROOT, "%.1f KB", jetty.path("bytes_per_request").asDouble() / 1024) : NOT_MEASURED));
        }
        if (!o.has("streams")) {
            failed(md, r, "open_streams", "10,000 slow streams open: 0 errors, heap ≤ 256 MB");
            md.append('\n');
            return;
        }
        boolean streamsOk = o.path("errors").asInt() == 0 && o.path("heap_used_at_plateau_mb").asDouble() <= 256;
        int streams = o.path("streams").asInt();
        String capped = streams < 10_000 ? " (capped by the open-files limit of " + r.path("meta").path("fd_limit").asText()
                + ": two descriptors per stream in Chowder)" : "";
        cells(md, List.of("10,000 slow streams open: 0 errors, heap ≤ 256 MB", streams + " streams" + capped + ", "
                + mb(o.path("heap_used_at_plateau_mb")) + " heap used, " + o.path("errors").asText() + " errors",
                streams < 10_000 && streamsOk ? "yes at " + streams : yes(streamsOk), NOT_MEASURED));
        md.append('\n');
    }

    /** The row of a measure that ran and failed (its result is {@code {"failed": …}}); nothing for one that did not run. */
    private static void failed(StringBuilder md, JsonNode r, String measure, String target) {
        if (r.path(measure).has("failed")) {
            cells(md, List.of(target, "failed: " + r.path(measure).path("failed").asText(), "**no**", NOT_MEASURED));
        }
    }

    /** Time a proxy adds, and its ratio to nginx's. */
    private static String added(double micros, double nginx) {
        return num(micros) + " µs (" + ratio(micros, nginx) + ")";
    }
}
