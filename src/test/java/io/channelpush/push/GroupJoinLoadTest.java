package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On NATS, where a client's commands that may wait on the bus go to the node's one publish thread (at most
 * {@link PublishDispatch#QUEUE_BOUND} queued), {@value #CLIENTS} raw clients on loopback send {@code add_group} at
 * once (every frame written before any ack is read): every one is acknowledged, none answered {@code unavailable},
 * because joining never waits on the bus and so does not take a place in that queue. Bounded: {@value #CLIENTS}
 * clients, 10 s per socket read, 3 minutes in all.
 */
class GroupJoinLoadTest {
    private static final int CLIENTS = 4_000;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void thousandsOfSimultaneousAddGroupsAreAllAcknowledgedOnNats() throws Exception {
        try (PushFixture fx = new PushFixture(PushFixture.Backend.NATS)) {
            Launcher node = fx.node("joins-1");
            assertTrue(node.node().publishDispatch().busMayWait(), "on NATS commands may wait for the bus");
            List<RawWebSocket> clients = new ArrayList<>(CLIENTS);
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    RawWebSocket c = new RawWebSocket(node.port(0), 0);
                    clients.add(c);
                    String welcome = text(c);
                    assertTrue(welcome.startsWith("workerID:joins-1 "), welcome);
                }
                for (int i = 0; i < CLIENTS; i++) {
                    clients.get(i).sendFrame(true, 0, 1, ("{\"cmd\":\"add_group\",\"id\":" + i + ",\"group_id\":\"g"
                            + (i % 100) + "\"}").getBytes(StandardCharsets.UTF_8));
                }
                List<String> notAcked = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    JsonObject reply = JsonParser.parseString(text(clients.get(i))).getAsJsonObject();
                    if (!"ack".equals(reply.get("type").getAsString()) || reply.get("id").getAsInt() != i) {
                        notAcked.add(i + ": " + reply);
                    }
                }
                assertEquals(List.of(), notAcked.subList(0, Math.min(10, notAcked.size())),
                        notAcked.size() + " of " + CLIENTS + " add_group not acknowledged");
                PushFixture.await(() -> node.node().groupCount() == 100, "the node has the 100 groups");
            } finally {
                for (RawWebSocket c : clients) {
                    c.close();
                }
            }
        }
    }

    /** The next text frame (the node's pings, spread over its interval, may come first). */
    private static String text(RawWebSocket c) throws Exception {
        for (int frames = 0; frames < 10; frames++) {
            RawWebSocket.Frame f = c.read();
            if (f.opcode() == 1) {
                return f.text();
            }
        }
        throw new AssertionError("10 frames and no text frame");
    }
}
