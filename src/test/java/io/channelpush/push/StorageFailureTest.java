package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.channel.TestData;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;

/**
 * The channel daemon's storage failure path, end to end with a real daemon, node and clients: when the daemon
 * cannot write a stream's log, a publish to that stream is refused ({@code storage_failed}) and the publisher
 * answers 503 (never {@code ok}); nothing refused reaches a client; the daemon logs SEVERE naming the folder and
 * what to do; once the disk takes writes again, publishes are {@code ok} again by themselves. The failure is made
 * without root tricks: with a retention of 8 records each segment holds one, so every publish creates a new segment
 * file, and the stream's folder is removed under the running daemon (its open segment stays writable, the next one
 * cannot be created). Removing a folder works for root too, where a read-only folder would not stop the writes.
 */
class StorageFailureTest {

    @Test
    void aStreamLogThatCannotBeWrittenRefusesPublishesWith503AndTheDaemonLogsIt() throws Exception {
        Path data = TestData.freshDir();
        DaemonConfig base = TestData.config().withDataDir(data).withPort(0).withWarmup(Duration.ZERO);
        DaemonConfig config = base.withStreams(base.streams().withRetention(8, 1L << 20, Duration.ofMinutes(5)));
        HttpClient http = new HttpClient();
        WebSocketClient ws = new WebSocketClient(http);
        try (LogCapture daemonLog = new LogCapture("io.channelpush.channel.daemon", Level.WARNING);
             ChannelDaemon daemon = ChannelDaemon.start(config);
             Launcher node = Launcher.start(LauncherOptions.parse(new String[] {"--ws-port", "0", "--http-port", "0",
                     "--channel", "127.0.0.1:" + daemon.port(), "--worker-id", "disk-1"}))) {
            http.start();
            ws.start();
            PushFixture.await(node.node().health()::busConnected, "the node never connected to the daemon");
            TestClient client = new TestClient();
            ws.connect(client, URI.create("ws://127.0.0.1:" + node.port(0) + "/?format=json"))
                    .get(5, TimeUnit.SECONDS);
            assertEquals("welcome", json(client.next()).get("type").getAsString());

            assertEquals("ok", publish(http, node, "before-1", 200));
            assertEquals("ok", publish(http, node, "before-2", 200));
            assertEquals(List.of("before-1", "before-2"), contents(client, 2));

            Path folder = data.resolve("streams").resolve("b");
            assertTrue(Files.isDirectory(folder), "no stream folder at " + folder);
            deleteTree(folder);
            for (int i = 1; i <= 5; i++) {
                String body = publish(http, node, "refused-" + i, 503);
                assertTrue(body.startsWith("the message bus did not take the message"), body);
            }
            List<String> severe = daemonLog.messages(Level.SEVERE);
            assertTrue(!severe.isEmpty() && severe.size() <= 2, "SEVERE, rate-limited to a line a second: " + severe);
            String line = severe.get(0);
            assertTrue(line.startsWith("could not append to the stream log " + folder.toAbsolutePath()), line);
            assertTrue(line.contains("NoSuchFileException"), line);
            assertTrue(line.contains("publishes to \"b\" are refused (storage_failed) until it can be written"), line);
            client.expectNothing(300);

            Files.createDirectories(folder);
            assertEquals("ok", publish(http, node, "after", 200));
            assertEquals(List.of("after"), contents(client, 1), "nothing refused reached the client, then the next");
        } finally {
            ws.stop();
            http.stop();
        }
    }

    private static String publish(HttpClient http, Launcher node, String content, int status) throws Exception {
        ContentResponse r = http.newRequest("http://127.0.0.1:" + node.port(1) + "/?content=" + content)
                .timeout(10, TimeUnit.SECONDS).send();
        assertEquals(status, r.getStatus(), content + ": " + r.getContentAsString());
        if (status == 503) {
            assertEquals("1", r.getHeaders().get("Retry-After"));
        }
        return r.getContentAsString().strip();
    }

    private static List<String> contents(TestClient c, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonObject m = json(c.next());
            assertEquals("broadcast", m.get("stream").getAsString(), m.toString());
            out.add(m.get("content").getAsString());
        }
        return out;
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }
}
