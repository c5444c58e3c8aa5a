package io.channelpush.channel.daemon;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Loads every class of the daemon's own packages before the event loop serves anyone. A class the JVM loads
 * lazily is read from the class path when first used; at the descriptor limit (the very condition the accept
 * back-off handles) reading it fails, the class can never load, and the loop would die of
 * {@link NoClassDefFoundError} in the middle of serving. Loaded up front, the loop needs no descriptor but its
 * sockets'. Stateless; called once per start.
 */
final class ClassPreload {
    private static final Logger LOG = Logger.getLogger(ClassPreload.class.getName());
    /** The packages the event loop runs, as paths under the class path root. */
    private static final List<String> PACKAGES = List.of("io/channelpush/channel/daemon", "io/channelpush/channel/protocol",
            "io/channelpush/channel/log");

    private ClassPreload() {
    }

    /** @return how many classes were loaded; 0 when the class path could not be listed (logged once) */
    static int run() {
        ClassLoader loader = ClassPreload.class.getClassLoader();
        CodeSource source = ClassPreload.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return 0;
        }
        try {
            Path root = Path.of(source.getLocation().toURI());
            if (Files.isDirectory(root)) {
                return loadUnder(root, loader);
            }
            try (FileSystem jar = FileSystems.newFileSystem(root, Map.of())) {
                return loadUnder(jar.getPath("/"), loader);
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            LOG.warning(() -> "could not preload the daemon's classes (" + e + "); at the descriptor limit a class "
                    + "first needed then may fail to load");
            return 0;
        }
    }

    private static int loadUnder(Path root, ClassLoader loader) throws IOException {
        int n = 0;
        for (String pkg : PACKAGES) {
            Path dir = root.resolve(pkg);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String file = f.getFileName().toString();
                    if (file.endsWith(".class") && !file.equals("package-info.class")) {
                        String name = pkg.replace('/', '.') + "." + file.substring(0, file.length() - ".class".length());
                        try {
                            Class.forName(name, true, loader);
                            n++;
                        } catch (ClassNotFoundException | LinkageError e) {
                            LOG.fine(() -> "preload skipped " + name + ": " + e);
                        }
                    }
                }
            }
        }
        return n;
    }
}
