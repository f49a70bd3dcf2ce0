package chowder.adapter.openclaw.workspace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens paths beneath a directory with Linux's {@code openat2(2)} and {@code RESOLVE_BENEATH}: the kernel resolves
 * every component, follows symbolic links that stay beneath, and refuses ({@code EXDEV}) any that would leave it,
 * absolute links included, in one step an agent cannot race. Descriptors are {@code O_PATH}: opening one never blocks
 * (a FIFO is not opened for reading) and grants nothing by itself; {@link #procPath} names the object it refers to for
 * Java's file API, which reopens exactly that inode. Needs Linux 5.6 or later.
 */
final class BeneathResolver {
    private static final long SYS_OPENAT2 = 437;
    private static final long O_PATH = 010000000;
    private static final long O_CLOEXEC = 02000000;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_BENEATH = 0x08;
    static final int ENOENT = 2;
    static final int ENOTDIR = 20;
    static final int EXDEV = 18;
    static final int ELOOP = 40;
    static final int ENOSYS = 38;

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

        int open(String path, int flags) throws LastErrorException;

        long syscall(long number, Object... arguments) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** A system call's failure, with its {@code errno}. */
    static final class ResolveException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int errno;

        ResolveException(int errno, String message) {
            super(message, null, false, false);
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    private BeneathResolver() {}

    /** An {@code O_PATH} descriptor of {@code directory} itself (a path only Chowder can change). */
    static int openRoot(Path directory) throws ResolveException {
        try {
            return LibC.INSTANCE.open(directory.toString(), (int) (O_PATH | O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new ResolveException(e.getErrorCode(), "cannot open " + directory);
        }
    }

    /**
     * An {@code O_PATH} descriptor of {@code relative} (slash-separated, not empty) beneath {@code rootFd}, links
     * inside followed, the final one included.
     */
    static int openBeneath(int rootFd, String relative) throws ResolveException {
        try (Memory how = new Memory(24)) {
            how.setLong(0, O_PATH | O_CLOEXEC);
            how.setLong(8, 0);
            how.setLong(16, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
            return (int) LibC.INSTANCE.syscall(SYS_OPENAT2, rootFd, relative, how, 24L);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOSYS) {
                throw new IllegalStateException("the workspace file API needs Linux 5.6 or later (openat2)");
            }
            throw new ResolveException(e.getErrorCode(), "cannot resolve " + relative);
        }
    }

    static void close(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to do about a failed close of an O_PATH descriptor
        }
    }

    /** The path through which Java's file API reaches what {@code fd} refers to. */
    static Path procPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }
}
