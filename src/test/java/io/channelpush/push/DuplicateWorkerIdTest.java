package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.util.List;
import java.util.logging.Level;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Item 8: a second node started with a worker id another node holds is refused on the bus (daemon claim, NATS
 * claim probe): it logs one SEVERE line saying what to do, stays not ready, and receives none of the pushes for
 * that id, which keep reaching the first node.
 */
class DuplicateWorkerIdTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(PushFixture.Backend.class)
    void theSecondNodeWithTheSameWorkerIdIsRefusedAndNotReadyAndTheFirstKeepsItsPushes(PushFixture.Backend backend)
            throws Exception {
        try (LogCapture log = new LogCapture(PushNode.class, Level.WARNING);
             PushFixture fx = new PushFixture(backend)) {
            Launcher first = fx.node("twin");
            assertEquals(200, fx.fetch(first, "/health/ready").getStatus());
            Launcher second = fx.connectedNode("twin");
            PushFixture.await(() -> log.messages(Level.SEVERE).stream().anyMatch(
                    l -> l.contains("worker id twin is already used")),
                    "no SEVERE line about the duplicate worker id: " + log.messages(Level.SEVERE));
            String line = log.messages(Level.SEVERE).get(0);
            assertTrue(line.contains("give each node its own --worker-id"), line);
            assertTrue(line.contains(backend == PushFixture.Backend.NATS ? "nats " : "channel-daemon 127.0.0.1:"), line);

            ContentResponse notReady = fx.fetch(second, "/health/ready");
            assertEquals(503, notReady.getStatus(), notReady.getContentAsString());
            JsonObject body = JsonParser.parseString(notReady.getContentAsString()).getAsJsonObject();
            assertEquals("connected", body.get("bus").getAsString());
            assertTrue(body.get("worker_id").getAsString().startsWith("not held"), body.toString());
            assertFalse(second.node().health().ready());

            // both nodes number their connections from 1: the same (worker id, connection id) exists on each
            TestClient onFirst = fx.connect(first);
            TestClient onSecond = fx.connect(second);
            assertEquals(onFirst.connectionId, onSecond.connectionId);
            for (Launcher publisher : List.of(first, second)) {
                for (int i = 0; i < 5; i++) {
                    String content = "for-twin-" + i + "-via-" + publisher.node().hashCode();
                    assertEquals("ok", fx.get(publisher, "to_worker_id=twin&to_connection_id=" + onFirst.connectionId
                            + "&content=" + content).getContentAsString());
                    assertEquals(content, onFirst.next());
                }
            }
            onSecond.expectNothing(1_000);
            // still refused after several claim retries (every 2 s) and still only one SEVERE line
            assertEquals(503, fx.fetch(second, "/health/ready").getStatus());
            assertEquals(200, fx.fetch(first, "/health/ready").getStatus());
            assertEquals(1, log.messages(Level.SEVERE).stream()
                            .filter(l -> l.contains("worker id twin is already used")).count(),
                    log.messages(Level.SEVERE).toString());
        }
    }
}
