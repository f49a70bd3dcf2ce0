package chowder.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of Chowder under load: the share of CPU samples whose stack passes through
 * each layer (database, JSON, Javalin, Jetty server, Jetty client, logging, ...), the methods with the most
 * samples on top of the stack, and the classes allocated most. A sample counts for every layer on its
 * stack, so the shares add up to more than 100 %.
 */
final class ProfileSummary {
    /** Layer name to the package prefixes that make a frame belong to it; the first match wins. */
    private static final Map<String, List<String>> LAYERS = layers();

    private ProfileSummary() {}

    /** Prints the summary of a recording as JSON: {@code java -cp chowder-bench.jar chowder.bench.ProfileSummary FILE.jfr}. */
    public static void main(String[] args) throws IOException {
        System.out.println(LoadGenerator.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summarise(Path.of(args[0]))));
    }

    private static Map<String, List<String>> layers() {
        Map<String, List<String>> layers = new LinkedHashMap<>();
        layers.put("database (H2, HikariCP, Jdbi)", List.of("org.h2.", "com.zaxxer.hikari.", "org.jdbi."));
        layers.put("JSON (Jackson)", List.of("com.fasterxml.jackson."));
        layers.put("Javalin", List.of("io.javalin."));
        layers.put("servlet layer (Jetty ee10)", List.of("org.eclipse.jetty.ee10.", "jakarta.servlet."));
        layers.put("upstream client (Jetty client)", List.of("org.eclipse.jetty.client."));
        layers.put("HTTP server (Jetty core)", List.of("org.eclipse.jetty.server.", "org.eclipse.jetty.http."));
        layers.put("Jetty I/O", List.of("org.eclipse.jetty.io."));
        layers.put("logging", List.of("ch.qos.logback.", "org.slf4j."));
        layers.put("Guice", List.of("com.google.inject."));
        layers.put("crypto (key hash, token cipher)", List.of("sun.security.", "javax.crypto.", "com.sun.crypto."));
        layers.put("Chowder application", List.of("chowder.application."));
        layers.put("Chowder adapters", List.of("chowder.adapter."));
        layers.put("virtual-thread scheduling", List.of("java.lang.VirtualThread", "java.util.concurrent.ForkJoin", "jdk.internal.vm.Continuation"));
        return layers;
    }

    static Map<String, Object> summarise(Path recording) throws IOException {
        int samples = 0;
        Map<String, Integer> byLayer = new LinkedHashMap<>();
        LAYERS.keySet().forEach(layer -> byLayer.put(layer, 0));
        Map<String, Integer> selfByLayer = new LinkedHashMap<>();
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> chowderInclusive = new HashMap<>();
        Map<String, Double> allocations = new HashMap<>();
        double allocatedTotal = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                String type = event.getEventType().getName();
                if (type.equals("jdk.ExecutionSample")) {
                    RecordedStackTrace stack = event.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    Set<String> layersSeen = new HashSet<>();
                    Set<String> chowderSeen = new HashSet<>();
                    for (RecordedFrame frame : stack.getFrames()) {
                        String method = name(frame);
                        layerOf(method).ifPresent(layersSeen::add);
                        if (method.startsWith("chowder.")) {
                            chowderSeen.add(method);
                        }
                    }
                    layersSeen.forEach(layer -> byLayer.merge(layer, 1, Integer::sum));
                    // Exclusive: the sample belongs to the first layer from the top of the stack, so JDK code
                    // (collections, I/O, locks) counts for the layer that called it.
                    String self = stack.getFrames().stream().map(ProfileSummary::name).map(ProfileSummary::layerOf)
                            .flatMap(java.util.Optional::stream).findFirst().orElse("other (JDK, GC, compiler threads)");
                    selfByLayer.merge(self, 1, Integer::sum);
                    chowderSeen.forEach(method -> chowderInclusive.merge(method, 1, Integer::sum));
                    topFrames.merge(name(stack.getFrames().getFirst()), 1, Integer::sum);
                } else if (type.equals("jdk.ObjectAllocationInNewTLAB") || type.equals("jdk.ObjectAllocationOutsideTLAB")) {
                    // Each new TLAB stands for its size in bytes, taken by the allocation that needed it: an unbiased
                    // sample. (jdk.ObjectAllocationSample's weights are bytes since a thread's last sample, which with
                    // short-lived virtual threads lands whole gigabytes on a few objects.)
                    double weight = type.equals("jdk.ObjectAllocationInNewTLAB") ? event.getLong("tlabSize") : event.getLong("allocationSize");
                    allocatedTotal += weight;
                    allocations.merge(event.getClass("objectClass").getName(), weight, Double::sum);
                }
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("cpu_samples", samples);
        summary.put("layer_self_pct", percentages(selfByLayer, samples, 20));
        summary.put("layer_share_pct", percentages(byLayer, samples, 20));
        summary.put("top_frames_pct", percentages(topFrames, samples, 20));
        summary.put("chowder_methods_inclusive_pct", percentages(chowderInclusive, samples, 20));
        Map<String, Object> allocationShare = new LinkedHashMap<>();
        double total = allocatedTotal;
        allocations.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(15)
                .forEach(e -> allocationShare.put(e.getKey(), round(100 * e.getValue() / total)));
        summary.put("allocation_by_class_pct", allocationShare);
        return summary;
    }

    private static java.util.Optional<String> layerOf(String method) {
        for (Map.Entry<String, List<String>> layer : LAYERS.entrySet()) {
            for (String prefix : layer.getValue()) {
                if (method.startsWith(prefix)) {
                    return java.util.Optional.of(layer.getKey());
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static Map<String, Object> percentages(Map<String, Integer> counts, int total, int limit) {
        Map<String, Object> shares = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> shares.put(e.getKey(), round(100.0 * e.getValue() / Math.max(1, total))));
        return shares;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
