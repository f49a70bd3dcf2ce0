package chowder.adapter.http.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The console's static files, read once from the classpath folder {@code console/} (a directory while testing, the
 * jar in production) into memory: a request can only ever name one of these, so no path reaches the file system.
 */
public final class ConsoleFiles {
    static final String FOLDER = "console/";
    /** A guard against a mistake in the build: the console is a few dozen small files. */
    static final int MAX_FILES = 200;

    private final Map<String, ConsoleFile> files;

    private ConsoleFiles(Map<String, ConsoleFile> files) {
        this.files = Map.copyOf(files);
    }

    /** The files next to this class on the classpath. */
    public static ConsoleFiles load() {
        URL location = ConsoleFiles.class.getProtectionDomain().getCodeSource().getLocation();
        try {
            Path root = Path.of(location.toURI());
            Map<String, ConsoleFile> files = Files.isDirectory(root) ? fromDirectory(root.resolve(FOLDER)) : fromJar(root);
            if (!files.containsKey("index.html")) {
                throw new IllegalStateException(FOLDER + "index.html is missing from " + root);
            }
            return new ConsoleFiles(files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console's files from " + location, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the console's files: " + location, e);
        }
    }

    /** The file at {@code name} (relative to the console, e.g. {@code pages/chat.js}), if there is one. */
    public Optional<ConsoleFile> file(String name) {
        return Optional.ofNullable(files.get(name));
    }

    /** The names of every file, relative to the console. */
    public Set<String> names() {
        return files.keySet();
    }

    private static Map<String, ConsoleFile> fromDirectory(Path folder) throws IOException {
        Map<String, ConsoleFile> files = new HashMap<>();
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                String name = folder.relativize(path).toString().replace('\\', '/');
                add(files, name, Files.readAllBytes(path));
            }
        }
        return files;
    }

    private static Map<String, ConsoleFile> fromJar(Path jar) throws IOException {
        Map<String, ConsoleFile> files = new HashMap<>();
        try (JarFile archive = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = archive.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (!entry.isDirectory() && entry.getName().startsWith(FOLDER)) {
                    try (InputStream in = archive.getInputStream(entry)) {
                        add(files, entry.getName().substring(FOLDER.length()), in.readAllBytes());
                    }
                }
            }
        }
        return files;
    }

    private static void add(Map<String, ConsoleFile> files, String name, byte[] content) {
        if (files.size() >= MAX_FILES) {
            throw new IllegalStateException("more than " + MAX_FILES + " console files: is something else under " + FOLDER + "?");
        }
        files.put(name, new ConsoleFile(content, contentType(name)));
    }

    /** The Content-Type of a file, by its extension; an unknown one is served as bytes (nosniff keeps it inert). */
    static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "html" -> "text/html; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "json" -> "application/json";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            case "ico" -> "image/x-icon";
            case "txt", "md" -> "text/plain; charset=utf-8";
            default -> "application/octet-stream";
        };
    }

    /** One file: its bytes and Content-Type. */
    public record ConsoleFile(byte[] content, String contentType) {
    }
}
