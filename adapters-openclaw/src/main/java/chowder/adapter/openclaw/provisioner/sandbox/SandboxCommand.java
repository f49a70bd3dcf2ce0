package chowder.adapter.openclaw.provisioner.sandbox;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outer command of a sandbox: enter its cgroups (first of all the OOM killer's choice, before Chowder, PostgreSQL
 * or another tenant), set its rlimits, enter its network, then bubblewrap, which reads the seccomp program (written
 * into the sandbox's own directory) from its standard input.
 */
final class SandboxCommand {
    // The largest there is: when the host runs out of memory, a tenant's processes go before anything else.
    private static final int OOM_SCORE_ADJUSTMENT = 1000;

    private final SandboxTools tools;
    private final SandboxConfig config;
    private final Optional<byte[]> seccompProgram;

    SandboxCommand(SandboxTools tools, SandboxConfig config, Optional<byte[]> seccompProgram) {
        this.tools = requireNonNull(tools, "tools is null");
        this.config = requireNonNull(config, "config is null");
        this.seccompProgram = requireNonNull(seccompProgram, "seccompProgram is null");
    }

    /** The command of a sandbox in its own network; its seccomp program is {@code seccomp.bpf} in {@code directory}. */
    ProcessBuilder build(Cgroups.Cell cgroup, NetworkCell network, BubblewrapArguments.Spec spec, Path directory) throws IOException {
        return build(cgroup, Optional.of(network), spec, directory, "seccomp.bpf");
    }

    /** Without a network, the sandbox gets a namespace of its own that holds nothing. */
    ProcessBuilder build(Cgroups.Cell cgroup, Optional<NetworkCell> network, BubblewrapArguments.Spec spec, Path directory,
            String seccompFile) throws IOException {
        Optional<Path> program = Optional.empty();
        if (seccompProgram.isPresent()) {
            program = Optional.of(Files.write(directory.resolve(seccompFile), seccompProgram.get()));
        }
        List<String> command = new ArrayList<>(entering(tools, cgroup, OOM_SCORE_ADJUSTMENT));
        command.addAll(List.of(tools.prlimit().toString(),
                "--nofile=" + config.maxOpenFiles() + ":" + config.maxOpenFiles(),
                // Per uid, and every instance has its own: a process limit even where cgroups are missing.
                "--nproc=" + config.maxProcesses() + ":" + config.maxProcesses(),
                // A core dump would hold the gateway's secrets.
                "--core=0:0", "--"));
        network.ifPresent(cell -> command.addAll(List.of(tools.nsenter().toString(), cell.nsenterOption(), "--")));
        command.addAll(BubblewrapArguments.of(tools, spec, program.isPresent()));
        // None of Chowder's environment: the caller adds the gateway's own (the start trial runs with PATH alone).
        ProcessBuilder builder = SandboxTools.hostCommand(command);
        program.ifPresent(file -> builder.redirectInput(file.toFile()));
        return builder;
    }

    /**
     * The start of a command line that puts the process in {@code cgroup} and gives it {@code oomScore} before it becomes
     * the rest of the line: the tree must be in its cgroups before it forks, so this shell moves itself there, then
     * {@code exec}s.
     */
    static List<String> entering(SandboxTools tools, Cgroups.Cell cgroup, int oomScore) {
        List<String> command = new ArrayList<>(List.of(tools.shell().toString(), "-c",
                "echo \"$1\" > /proc/self/oom_score_adj || exit 125; shift; n=$1; shift; "
                        + "while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n - 1)); done; exec \"$@\"",
                "chowder-sandbox", Integer.toString(oomScore), Integer.toString(cgroup.procsFiles().size())));
        cgroup.procsFiles().forEach(file -> command.add(file.toString()));
        return command;
    }

    /** The compiled filter for this machine (see {@code scripts/sandbox/seccomp-filter.py}), if there is one. */
    static Optional<byte[]> seccompProgram(String osArch) {
        String arch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (arch == null) {
            return Optional.empty();
        }
        try (InputStream in = SandboxCommand.class.getResourceAsStream("seccomp-" + arch + ".bpf")) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
