package chowder.adapter.openclaw.workspace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Counts the times one file is opened, with Linux's inotify ({@code IN_OPEN}): the kernel reports every open of the
 * inode, a device node's included, but not an {@code O_PATH} descriptor nor a {@code stat}. Not thread-safe; close it.
 */
final class OpenWatch implements AutoCloseable {
    private static final int IN_OPEN = 0x20;
    private static final int IN_NONBLOCK = 04000;
    private static final int IN_CLOEXEC = 02000000;
    private static final int EVENT_HEADER_BYTES = 16;

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int inotify_init1(int flags) throws LastErrorException;

        int inotify_add_watch(int fd, String path, int mask) throws LastErrorException;

        /** -1 once no event is pending (the descriptor does not block). */
        long read(int fd, byte[] buffer, long count);

        int close(int fd);
    }

    private final int fd;
    private int opens;

    private OpenWatch(int fd) {
        this.fd = fd;
    }

    static OpenWatch on(Path file) {
        int fd = LibC.INSTANCE.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        try {
            LibC.INSTANCE.inotify_add_watch(fd, file.toString(), IN_OPEN);
        } catch (LastErrorException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
        return new OpenWatch(fd);
    }

    /** How many times the file was opened since the watch began. */
    int opens() {
        byte[] buffer = new byte[4096];
        for (long read = LibC.INSTANCE.read(fd, buffer, buffer.length); read > 0; read = LibC.INSTANCE.read(fd, buffer, buffer.length)) {
            ByteBuffer events = ByteBuffer.wrap(buffer, 0, (int) read).order(ByteOrder.nativeOrder());
            while (events.remaining() >= EVENT_HEADER_BYTES) {
                events.getInt();
                int mask = events.getInt();
                events.getInt();
                int nameBytes = events.getInt();
                events.position(events.position() + nameBytes);
                if ((mask & IN_OPEN) != 0) {
                    opens++;
                }
            }
        }
        return opens;
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
