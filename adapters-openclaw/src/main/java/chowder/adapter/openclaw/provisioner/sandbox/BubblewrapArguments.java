package chowder.adapter.openclaw.provisioner.sandbox;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bubblewrap command line of one gateway. bubblewrap runs as root (it needs to, to bind directories that only
 * Chowder may enter) in a new mount, PID, IPC, UTS and cgroup namespace whose root is an empty tmpfs holding only:
 * the host's {@code /usr} (and its {@code /bin}, {@code /lib} links) and the few files of {@code /etc} a program needs
 * (TLS roots, the linker cache, time zone), read-only; the OpenClaw install at {@link SandboxPaths#RUNTIME}, read-only;
 * the instance's config directory, read-only, and its state, workspace and home, writable, under {@link SandboxPaths#INSTANCE};
 * a private {@code /proc}, {@code /dev} and {@code /tmp}. Then {@code setpriv} drops to the instance's own uid and
 * gid, no supplementary groups, no capabilities (bounding set included) and no-new-privileges before the gateway
 * starts; bubblewrap loads the seccomp filter from its standard input. It dies with Chowder and kills everything in
 * its PID namespace when the gateway exits.
 */
final class BubblewrapArguments {
    /** The files of the host's {@code /etc} a sandbox sees: TLS trust, the dynamic linker's cache, time and name service switch. */
    private static final List<String> HOST_ETC = List.of("ssl", "ca-certificates", "alternatives", "ld.so.cache", "ld.so.conf",
            "ld.so.conf.d", "localtime", "nsswitch.conf", "mime.types");
    private static final List<String> TOP_LEVEL_LINKS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private BubblewrapArguments() {}

    /** What one gateway's sandbox is made of, as host paths; {@code etc} holds its own {@code passwd}, {@code group} and {@code hosts}. */
    /** @param noNetwork a network namespace of its own with nothing in it (a command beside a gateway needs none) */
    record Spec(long uid, Path runtimeHome, Path configDirectory, Path state, Path workspace, Path home, Path etc, long tmpBytes,
            List<String> command, boolean noNetwork) {
        Spec {
            requireNonNull(runtimeHome, "runtimeHome is null");
            requireNonNull(configDirectory, "configDirectory is null");
            requireNonNull(state, "state is null");
            requireNonNull(workspace, "workspace is null");
            requireNonNull(home, "home is null");
            requireNonNull(etc, "etc is null");
            command = List.copyOf(command);
        }
    }

    /** @param seccomp whether bubblewrap is to read a seccomp program from its standard input */
    static List<String> of(SandboxTools tools, Spec spec, boolean seccomp) throws IOException {
        List<String> args = new ArrayList<>(List.of(tools.bwrap().toString(),
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session",
                // Root inside only long enough for setpriv to switch to the instance's uid; bwrap drops the rest.
                "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP",
                "--hostname", "openclaw",
                // Directories bwrap makes for mount points would be 0700 root: the gateway could not pass through them.
                "--perms", "0755", "--dir", "/etc",
                "--perms", "0755", "--dir", "/opt",
                "--perms", "0755", "--dir", SandboxPaths.INSTANCE.toString(),
                "--ro-bind", "/usr", "/usr"));
        for (String name : TOP_LEVEL_LINKS) {
            Path host = Path.of("/", name);
            if (Files.isSymbolicLink(host)) {
                args.addAll(List.of("--symlink", Files.readSymbolicLink(host).toString(), host.toString()));
            } else if (Files.isDirectory(host)) {
                args.addAll(List.of("--ro-bind", host.toString(), host.toString()));
            }
        }
        for (String name : HOST_ETC) {
            args.addAll(List.of("--ro-bind-try", "/etc/" + name, "/etc/" + name));
        }
        for (String name : List.of("passwd", "group", "hosts")) {
            args.addAll(List.of("--ro-bind", spec.etc().resolve(name).toString(), "/etc/" + name));
        }
        args.addAll(List.of(
                "--ro-bind", spec.runtimeHome().toString(), SandboxPaths.RUNTIME.toString(),
                "--ro-bind", spec.configDirectory().toString(), SandboxPaths.CONFIG_DIRECTORY.toString(),
                "--bind", spec.state().toString(), SandboxPaths.STATE.toString(),
                "--bind", spec.workspace().toString(), SandboxPaths.WORKSPACE.toString(),
                "--bind", spec.home().toString(), SandboxPaths.HOME.toString(),
                "--proc", "/proc",
                "--dev", "/dev",
                "--perms", "1777", "--size", Long.toString(spec.tmpBytes()), "--tmpfs", "/tmp",
                "--perms", "1777", "--size", Long.toString(spec.tmpBytes()), "--tmpfs", "/dev/shm",
                "--chdir", SandboxPaths.INSTANCE.toString()));
        if (spec.noNetwork()) {
            args.add("--unshare-net");
        }
        if (seccomp) {
            args.addAll(List.of("--seccomp", "0"));
        }
        String id = Long.toString(spec.uid());
        // setpriv lives under /usr or a /bin that links there: the same path works inside.
        args.addAll(List.of("--", tools.setpriv().toString(),
                "--reuid", id, "--regid", id, "--clear-groups",
                "--inh-caps", "-all", "--bounding-set", "-all", "--no-new-privs", "--"));
        args.addAll(spec.command());
        return List.copyOf(args);
    }
}
