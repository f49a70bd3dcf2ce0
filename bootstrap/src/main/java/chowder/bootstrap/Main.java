package chowder.bootstrap;

import chowder.bootstrap.cli.InstanceCommands;
import chowder.bootstrap.cli.AdminApi;
import chowder.bootstrap.cli.KeyCommands;
import chowder.bootstrap.cli.OpenStore;
import chowder.bootstrap.cli.OrgCommands;
import chowder.bootstrap.cli.OrgCreateCommand;
import chowder.bootstrap.cli.OrgListCommand;
import chowder.bootstrap.cli.OrgPlanCommand;
import chowder.domain.ChowderException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code chowder} command: {@code serve} (the default), {@code org create|list|show|rename|suspend|resume|key|plan}, {@code key create|list|revoke},
 * {@code instance add|list|remove} (the driving adapter in {@code chowder.bootstrap.cli}: use cases on the store), and the
 * commands that work on the runtime itself: {@code master-key rotate}, {@code openclaw install}.
 */
@Command(name = "chowder", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Self-hosted Chowder: the multi-tenant control plane and ingress for OpenClaw gateways.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        JdkPollers.preferSystemThreads();
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command with the given environment; returns the process exit code. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        OpenStore store = environment -> ChowderRuntime.openExisting(ChowderConfig.fromEnvironment(environment), environment).startStore();
        CommandLine cli = new CommandLine(new Main())
                .addSubcommand("serve", new ServeCommand(env))
                .addSubcommand("help", new CommandLine.HelpCommand())
                .addSubcommand("org", group("org", "Create, list, rename, suspend and resume organizations, issue their keys and set their plans "
                        + "(through the admin API of the server at CHOWDER_URL, else on its database: docs/api.md, Operator commands).")
                        .addSubcommand("create", new OrgCreateCommand(env, out, store))
                        .addSubcommand("list", new OrgListCommand(env, out, store))
                        .addSubcommand("show", new OrgCommands.Show(env, out, store))
                        .addSubcommand("rename", new OrgCommands.Rename(env, out, store))
                        .addSubcommand("suspend", new OrgCommands.Suspend(env, out, store))
                        .addSubcommand("resume", new OrgCommands.Resume(env, out, store))
                        .addSubcommand("key", new OrgCommands.IssueKey(env, out, store))
                        .addSubcommand("plan", new OrgPlanCommand(env, out, store)))
                .addSubcommand("key", group("key", "Create, list and revoke API keys of an organization.")
                        .addSubcommand("create", new KeyCommands.Create(env, out, store))
                        .addSubcommand("list", new KeyCommands.ListKeys(env, out, store))
                        .addSubcommand("revoke", new KeyCommands.Revoke(env, out, store)))
                .addSubcommand("instance", group("instance", "Register, list and remove instances of an organization.")
                        .addSubcommand("add", new InstanceCommands.Add(env, out, store))
                        .addSubcommand("list", new InstanceCommands.ListInstances(env, out, store))
                        .addSubcommand("remove", new InstanceCommands.Remove(env, out, store)))
                .addSubcommand("master-key", group("master-key", "Re-encrypt the stored secrets under a new master key.")
                        .addSubcommand("rotate", new MasterKeyRotateCommand(env, out)))
                .addSubcommand("openclaw", group("openclaw", "Install the pinned Node and OpenClaw the local provisioner runs.")
                        .addSubcommand("install", new OpenClawInstallCommand(env, out, err)));
        cli.getSubcommands().get("serve").getCommandSpec().usageMessage().footer(ServeCommand.configurationFooter());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            if (error instanceof InvalidConfigurationException || error instanceof AdminApi.Misconfigured) {
                err.println("chowder: configuration error: " + error.getMessage());
                return 2;
            }
            if (error instanceof ChowderException || error instanceof AdminApi.Refused) {
                err.println("chowder: " + error.getMessage());
                return 1;
            }
            throw error;
        });
        return cli.execute(args.length == 0 ? new String[] {"serve"} : args);
    }

    /** {@code chowder --version}: the version the jar was built as (its manifest), or that it is a development build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"chowder " + (version == null ? "(development build, not from a packaged jar)" : version)};
        }
    }

    /** A command that only groups subcommands, with the line {@code chowder --help} shows for it. */
    private static CommandLine group(String name, String description) {
        CommandLine group = new CommandLine(new Group(name));
        group.getCommandSpec().usageMessage().description(description);
        return group;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: serve, org, key, instance, master-key or openclaw");
    }

    /** A command that only groups subcommands ({@code org}, {@code instance}, {@code master-key}, {@code openclaw}). */
    @Command(mixinStandardHelpOptions = true)
    static final class Group implements Runnable {
        private final String name;

        Group(String name) {
            this.name = name;
        }

        @Override
        public void run() {
            throw new CommandLine.ParameterException(new CommandLine(this), "'" + name + "' needs a subcommand; see --help");
        }
    }
}
