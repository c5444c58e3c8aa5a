package io.channelpush.channel;

import io.channelpush.channel.daemon.DaemonConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Daemon settings for tests: the defaults with a fresh data folder under {@code target/}, so tests leave no trace. */
public final class TestData {
    private TestData() {
    }

    /** A new, empty data folder under {@code target/test-channel-data}. */
    public static Path freshDir() {
        try {
            Path root = Files.createDirectories(Path.of("target", "test-channel-data"));
            return Files.createTempDirectory(root, "d");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link DaemonConfig#defaults()} with a data folder of its own. */
    public static DaemonConfig config() {
        return DaemonConfig.defaults().withDataDir(freshDir());
    }
}
