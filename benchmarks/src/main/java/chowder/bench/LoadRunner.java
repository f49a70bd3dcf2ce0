package chowder.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@link LoadGenerator} in a JVM of its own against a target, so that the load does not share Chowder's or the run's heap. */
final class LoadRunner {
    static final List<String> LOAD_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=4");

    private final Path work;
    private final Path benchJar;

    LoadRunner(Path work, Path benchJar) {
        this.work = work;
        this.benchJar = benchJar;
    }

    /** Runs the load generator in its own JVM and returns its JSON result. */
    @SuppressWarnings("unchecked")
    Map<String, Object> load(Target target, String mode, String... args) throws Exception {
        Path out = work.resolve("result-" + mode + "-" + target.name() + "-" + System.nanoTime() + ".json");
        List<String> command = new ArrayList<>(List.of(args));
        command.add(out.toString());
        String output = Processes.run(command(mode, targetFile(target), command.toArray(String[]::new)), Map.of(), Duration.ofMinutes(10));
        if (!output.isBlank()) {
            BenchmarkRun.log(output.strip());
        }
        return LoadGenerator.JSON.readValue(out.toFile(), Map.class);
    }

    List<String> command(String mode, Path targetFile, String... args) {
        List<String> command = new ArrayList<>(List.of(Processes.JAVA));
        command.addAll(LOAD_JVM);
        command.addAll(List.of("-cp", benchJar.toString(), LoadGenerator.class.getName(), mode, targetFile.toString()));
        command.addAll(List.of(args));
        return command;
    }

    Path targetFile(Target target) throws IOException {
        Path file = work.resolve("target-" + target.name() + ".json");
        LoadGenerator.JSON.writeValue(file.toFile(), target);
        return file;
    }
}
