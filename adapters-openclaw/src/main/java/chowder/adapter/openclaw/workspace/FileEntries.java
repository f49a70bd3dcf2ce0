package chowder.adapter.openclaw.workspace;

import chowder.application.port.FileEntry;
import chowder.domain.WorkspacePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** What a listing shows of one workspace file: its {@code ls -l} type and mode besides its size and time. */
final class FileEntries {
    private FileEntries() {}

    static FileEntry entry(WorkspacePath path, PosixFileAttributes attributes) {
        return entry(path, attributes, '-');
    }

    /** {@code otherType} is the {@code ls -l} letter of a file that is neither regular, directory nor link. */
    static FileEntry entry(WorkspacePath path, PosixFileAttributes attributes, char otherType) {
        char type = attributes.isDirectory() ? 'd' : attributes.isSymbolicLink() ? 'l' : attributes.isRegularFile() ? '-' : otherType;
        return new FileEntry(path, attributes.isDirectory(), attributes.isDirectory() || attributes.isOther() ? 0 : attributes.size(),
                attributes.lastModifiedTime().toInstant(), type + PosixFilePermissions.toString(attributes.permissions()));
    }

    /** {@code p}, {@code s}, {@code c} or {@code b}, from the file type bits of its mode (never opening it). */
    static char specialType(Path file) throws IOException {
        int mode = ((Number) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue() & 0170000;
        return switch (mode) {
            case 0010000 -> 'p';
            case 0140000 -> 's';
            case 0020000 -> 'c';
            case 0060000 -> 'b';
            default -> '?';
        };
    }
}
