package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.push.bus.NatsServerProcess;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;

/** The launcher jar run as {@code java -jar} with no arguments serves the seed walk-through on 4236/4237. */
class LauncherJarIT {
    /** Records messages and the close status. */
    public static final class Client implements Session.Listener.AutoDemanding {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public void onWebSocketText(String text) {
            messages.add(text);
        }

        @Override
        public void onWebSocketClose(int status, String reason) {
            closed.complete(status);
        }

        String next() throws InterruptedException {
            String m = messages.poll(5, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 5 s");
            }
            return m;
        }
    }

    @Test
    void launcherJarServesTheSeedWalkThroughOnTheSeedPortsAndStopsWith1001() throws Exception {
        HttpClient http = new HttpClient();
        WebSocketClient ws = new WebSocketClient(http);
        http.start();
        ws.start();
        try (JarProcess launcher = JarProcess.start("channel-push-launcher.jar")) {
            launcher.awaitLine("serving ws://", 30);
            Client a = new Client();
            Client b = new Client();
            ws.connect(a, URI.create("ws://127.0.0.1:4236/")).get(5, TimeUnit.SECONDS);
            ws.connect(b, URI.create("ws://127.0.0.1:4236/")).get(5, TimeUnit.SECONDS);
            String welcomeA = a.next();
            String welcomeB = b.next();
            assertTrue(welcomeA.matches("workerID:\\S+ connectionID:\\d+ connected\n"), welcomeA);
            assertNotEquals(welcomeA, welcomeB);
            String worker = welcomeA.split(" ")[0].substring("workerID:".length());
            String connB = welcomeB.split(" ")[1].substring("connectionID:".length());

            assertEquals("ok", http.GET("http://127.0.0.1:4237/?content=hello").getContentAsString());
            assertEquals("hello", a.next());
            assertEquals("hello", b.next());
            assertEquals("ok", http.GET("http://127.0.0.1:4237/?to_worker_id=" + worker + "&to_connection_id="
                    + connB + "&content=only-b").getContentAsString());
            assertEquals("only-b", b.next());
            // Both ports serve both roles.
            assertEquals("ok", http.GET("http://127.0.0.1:4236/?content=via-4236").getContentAsString());
            assertEquals("via-4236", a.next());

            int exit = launcher.terminate();
            assertEquals(1001, a.closed.get(5, TimeUnit.SECONDS));
            assertEquals(1001, b.closed.get(5, TimeUnit.SECONDS));
            assertEquals(143, exit, "exit status after SIGTERM (128 + 15)");
            assertTrue(launcher.output().contains("Channel Push stopped"), launcher.output());
        } finally {
            ws.stop();
            http.stop();
        }
    }

    @Test
    void portAlreadyTakenIsAClearErrorAndNonZeroExit() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             JarProcess launcher = JarProcess.start("channel-push-launcher.jar", "--ws-port",
                     String.valueOf(taken.getLocalPort()), "--http-port", "0", "--channel-port", "0")) {
            assertEquals(1, launcher.awaitExit());
            assertTrue(launcher.output().contains("cannot listen on"), launcher.output());
        }
    }

    @Test
    void unreachableExternalDaemonIsAClearErrorAndNonZeroExit() throws Exception {
        int free = io.channelpush.channel.TestPorts.freePort(); // nobody listens; outside the ephemeral range
        try (JarProcess launcher = JarProcess.start("channel-push-launcher.jar", "--ws-port", "0", "--http-port", "0",
                "--channel", "127.0.0.1:" + free)) {
            assertEquals(1, launcher.awaitExit());
            assertTrue(launcher.output().contains("cannot reach the channel daemon"), launcher.output());
        }
    }

    @Test
    void helpPrintsUsage() throws Exception {
        try (JarProcess launcher = JarProcess.start("channel-push-launcher.jar", "--help")) {
            assertEquals(0, launcher.awaitExit());
            assertTrue(launcher.output().contains("--ws-port"), launcher.output());
        }
    }

    @Test
    void launcherJarWithNatsServesThroughNatsAndStartsNoDaemon() throws Exception {
        HttpClient http = new HttpClient();
        WebSocketClient ws = new WebSocketClient(http);
        http.start();
        ws.start();
        // The in-process daemon's port is taken: a launcher that tried to start one would exit.
        try (NatsServerProcess nats = NatsServerProcess.start();
             java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             JarProcess launcher = JarProcess.start("channel-push-launcher.jar", "--nats", nats.url(),
                     "--ws-port", "0", "--http-port", "0", "--channel-port", String.valueOf(taken.getLocalPort()),
                     "--worker-id", "jar-nats")) {
            String serving = launcher.awaitLine("serving ws://", 30);
            Matcher m = Pattern.compile("ws://127\\.0\\.0\\.1:(\\d+)/ and http://127\\.0\\.0\\.1:(\\d+)/ ; NATS ")
                    .matcher(serving);
            assertTrue(m.find(), serving);
            Client a = new Client();
            ws.connect(a, URI.create("ws://127.0.0.1:" + m.group(1) + "/")).get(5, TimeUnit.SECONDS);
            assertTrue(a.next().startsWith("workerID:jar-nats connectionID:1 "));
            assertEquals("ok", http.GET("http://127.0.0.1:" + m.group(2) + "/?content=via-nats").getContentAsString());
            assertEquals("via-nats", a.next());
            assertEquals(143, launcher.terminate());
            assertEquals(1001, a.closed.get(5, TimeUnit.SECONDS));
        } finally {
            ws.stop();
            http.stop();
        }
    }

    @Test
    void unreachableNatsIsAClearErrorAndNonZeroExit() throws Exception {
        try (JarProcess launcher = JarProcess.start("channel-push-launcher.jar", "--ws-port", "0", "--http-port", "0",
                "--nats", "nats://127.0.0.1:" + NatsServerProcess.freePort())) {
            assertEquals(1, launcher.awaitExit());
            assertTrue(launcher.output().contains("cannot reach any NATS server"), launcher.output());
        }
    }

    @Test
    void natsAndChannelTogetherAreRefused() throws Exception {
        try (JarProcess launcher = JarProcess.start("channel-push-launcher.jar", "--nats", "nats://127.0.0.1:4222",
                "--channel", "127.0.0.1:2206")) {
            assertEquals(2, launcher.awaitExit());
            assertTrue(launcher.output().contains("--channel and --nats"), launcher.output());
        }
    }
}
