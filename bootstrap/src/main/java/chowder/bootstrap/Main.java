package chowder.bootstrap;

import chowder.domain.ChowderException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chowder} command: {@code serve} (the default), {@code org create}. */
@Command(name = "chowder", mixinStandardHelpOptions = true, version = "chowder 0.1.0",
        description = "Self-hosted Chowder: the multi-tenant control plane and ingress for OpenClaw gateways.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command with the given environment; returns the process exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main())
                .addSubcommand("serve", new ServeCommand(env))
                .addSubcommand("org", new CommandLine(new OrgCommand()).addSubcommand("create", new OrgCreateCommand(env, out)));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            if (error instanceof InvalidConfigurationException) {
                err.println("chowder: configuration error: " + error.getMessage());
                return 2;
            }
            if (error instanceof ChowderException refused) {
                err.println("chowder: " + refused.getMessage());
                return 1;
            }
            throw error;
        });
        return cli.execute(args.length == 0 ? new String[] {"serve"} : args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: serve or org create");
    }

    /** {@code chowder org …}: organization administration for operators. */
    @Command(name = "org", description = "Manage organizations.", mixinStandardHelpOptions = true)
    static final class OrgCommand implements Runnable {
        @Override
        public void run() {
            throw new CommandLine.ParameterException(new CommandLine(this), "name a subcommand: create");
        }
    }
}
