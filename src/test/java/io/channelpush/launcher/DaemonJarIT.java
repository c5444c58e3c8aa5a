package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import io.channelpush.channel.TestPorts;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The daemon jar runs on its own (no Undertow inside), serves clients, reports status and stops on SIGTERM. */
class DaemonJarIT {
    @Test
    void daemonJarServesClientsPrintsStatusAndStopsOnSigterm() throws Exception {
        int port = TestPorts.freePort();
        try (JarProcess daemon = JarProcess.start("channel-daemon.jar", "--port", String.valueOf(port))) {
            daemon.awaitLine("listening on 127.0.0.1:" + port, 20);
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            try (ChannelClient sub = ChannelClient.start(ClientOptions.of("127.0.0.1", port).withClientName("sub"));
                 ChannelClient pub = ChannelClient.start(ClientOptions.of("127.0.0.1", port).withClientName("pub"))) {
                sub.on("news", d -> got.add(d.getAsString()));
                sub.watch("jobs", d -> { });
                assertTrue(sub.awaitConnected(Duration.ofSeconds(5)));
                for (int i = 0; i < 3; i++) {
                    pub.enqueue("backlog", new JsonPrimitive(i));
                }
                pub.publish("news", new JsonPrimitive("hi"));
                assertEquals("hi", got.poll(5, TimeUnit.SECONDS));

                try (JarProcess status = JarProcess.start("channel-daemon.jar", "status", "--port", String.valueOf(port))) {
                    assertEquals(0, status.awaitExit(), status.output());
                    String out = status.output();
                    assertTrue(out.contains("clients            3"), out);
                    assertTrue(out.contains("  news  subscribers=1"), out);
                    assertTrue(out.contains("  backlog  depth=3 watchers=0"), out);
                    assertTrue(out.contains("  jobs  depth=0 watchers=1"), out);
                    assertTrue(out.contains("events delivered   1"), out);
                }
            }
            assertEquals(143, daemon.terminate());
            assertTrue(daemon.output().contains("stopped"), daemon.output());
        }
    }

    @Test
    void aDaemonWhoseEventLoopRunsOutOfMemoryExitsNonZeroAndFreesItsPort() throws Exception {
        int port = TestPorts.freePort();
        // a memory bound far above the heap, so that hoarded queue items end in an OutOfMemoryError of the loop
        try (JarProcess daemon = JarProcess.start(List.of("-Xmx48m"), "channel-daemon.jar",
                "--port", String.valueOf(port), "--memory-limit-bytes", String.valueOf(1L << 30))) {
            daemon.awaitLine("listening on 127.0.0.1:" + port, 20);
            assertTrue(daemon.output().contains("without -XX:+ExitOnOutOfMemoryError"), daemon.output());
            byte[] item = FrameCodec.encode("{\"type\":\"enqueue\",\"queue\":\"hoard\",\"data\":\""
                    + "x".repeat(1_000_000) + "\"}");
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                out.write(Messages.hello("hoarder", null));
                for (int i = 0; i < 200; i++) {
                    out.write(item);
                }
            } catch (IOException e) {
                // the daemon died under us: expected
            }
            assertEquals(70, daemon.awaitExit(), daemon.output());
            assertTrue(daemon.output().contains("event loop died"), daemon.output());
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, again.getLocalPort(), "the port is free again");
            }
        }
    }

    @Test
    void withExitOnOutOfMemoryErrorTheStartUpLogDoesNotWarn() throws Exception {
        int port = TestPorts.freePort();
        try (JarProcess daemon = JarProcess.start(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
                "channel-daemon.jar", "--port", String.valueOf(port))) {
            daemon.awaitLine("listening on 127.0.0.1:" + port, 20);
            assertTrue(!daemon.output().contains("ExitOnOutOfMemoryError"), daemon.output());
            assertEquals(143, daemon.terminate());
        }
    }

    @Test
    void statusOfAnAbsentDaemonFailsWithAReason() throws Exception {
        try (JarProcess status = JarProcess.start("channel-daemon.jar", "status", "--port", String.valueOf(TestPorts.freePort()))) {
            assertEquals(1, status.awaitExit());
            assertTrue(status.output().contains("cannot read stats"), status.output());
        }
    }

    @Test
    void helpAndBadOptions() throws Exception {
        try (JarProcess help = JarProcess.start("channel-daemon.jar", "--help")) {
            assertEquals(0, help.awaitExit());
            assertTrue(help.output().contains("--max-frame-bytes"));
        }
        try (JarProcess bad = JarProcess.start("channel-daemon.jar", "--port", "99999")) {
            assertEquals(2, bad.awaitExit());
            assertTrue(bad.output().contains("port must be 0..65535"), bad.output());
        }
    }
}
