package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The launcher jar as a child process: its start-up warns when the JVM would not exit on OutOfMemoryError, and a
 * fatal error (here its in-process daemon's loop running out of memory) ends the process with status 70.
 */
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

    @Test
    void aLauncherWhoseInProcessDaemonRunsOutOfMemoryExitsWith70AndFreesItsPorts() throws Exception {
        int channelPort = io.channelpush.channel.TestPorts.freePort();
        // the in-process daemon's memory bound (256 MiB) is far above this heap: hoarded queue items exhaust it
        try (JarProcess launcher = JarProcess.start(List.of("-Xmx96m"), "channel-push-launcher.jar",
                "--ws-port", "0", "--http-port", "0", "--channel-port", String.valueOf(channelPort))) {
            launcher.awaitLine("serving ws://", 30);
            byte[] item = FrameCodec.encode("{\"type\":\"enqueue\",\"queue\":\"hoard\",\"data\":\""
                    + "x".repeat(1_000_000) + "\"}");
            try (Socket s = new Socket("127.0.0.1", channelPort)) {
                OutputStream out = s.getOutputStream();
                out.write(Messages.hello("hoarder", null));
                for (int i = 0; i < 200; i++) {
                    out.write(item);
                }
            } catch (IOException e) {
                // the process died under us: expected
            }
            assertEquals(ProcessHalt.EXIT_CODE, launcher.awaitExit(), launcher.output());
            assertTrue(launcher.output().contains("exiting with status 70"), launcher.output());
            try (ServerSocket again = new ServerSocket(channelPort, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(channelPort, again.getLocalPort(), "the daemon's port is free again");
            }
        }
    }
}
