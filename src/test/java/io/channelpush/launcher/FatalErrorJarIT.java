package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher jar as a child process: its start-up warns when the JVM would not exit on OutOfMemoryError. */
class FatalErrorJarIT {
    private static final String WARNING = "the JVM runs without -XX:+ExitOnOutOfMemoryError";

    @Test
    void startUpWarnsWithoutExitOnOutOfMemoryError() throws Exception {
        try (JarProcess launcher = JarProcess.start(List.of("-Xmx128m"), "channel-push-launcher.jar",
                "--ws-port", "0", "--http-port", "0", "--channel-port", "0")) {
            launcher.awaitLine(WARNING, 30);
            launcher.awaitLine("serving ws://", 30);
            assertEquals(143, launcher.terminate(), "exit status after SIGTERM");
        }
    }

    @Test
    void startUpDoesNotWarnWithExitOnOutOfMemoryError() throws Exception {
        try (JarProcess launcher = JarProcess.start(List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"),
                "channel-push-launcher.jar", "--ws-port", "0", "--http-port", "0", "--channel-port", "0")) {
            launcher.awaitLine("serving ws://", 30);
            // The warning comes before the node starts: it would be in the output by now.
            assertFalse(launcher.output().contains(WARNING), launcher.output());
            assertEquals(143, launcher.terminate(), "exit status after SIGTERM");
        }
    }
}
