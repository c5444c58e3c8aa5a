package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameGate} on a real launcher and a raw socket: while a client does not read, the node's frames and the
 * pongs Undertow writes for the client's pings share a full socket; when it reads again, every frame is whole and
 * in order, up to the close with 1013 that its full queue earned, and nothing follows that close.
 */
class FrameGateWireTest {
    private static final int MAX_PUBLISHES = 2_000;

    private static PushFixture fx;
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("gate-wire");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void pushesAndPongsToAClientThatStopsReadingArriveWholeAndInOrderUpToItsCloseWith1013() throws Exception {
        try (RawWebSocket client = new RawWebSocket(node.port(0), 16 * 1024)) {
            RawWebSocket.Frame welcome = client.readWhole();
            assertTrue(welcome.text().startsWith("workerID:gate-wire"), welcome.text());
            PushFixture.await(() -> node.node().connectionCount() == 1, "client not registered");
            String pad = "p".repeat(8_000);
            int published = 0;
            int pings = 0;
            // the queue (1 MiB by default) fills only once the socket is full: the 1013 proves frames waited
            while (node.node().metrics().slowClientDisconnects() == 0 && published < MAX_PUBLISHES) {
                Fields form = new Fields();
                form.put("content", published + ":" + pad);
                assertEquals(200, fx.post(node, form).getStatus());
                published++;
                if (published % 7 == 0) {
                    client.sendFrame(true, 0, 9, ("ping-" + pings++).getBytes(StandardCharsets.US_ASCII));
                }
            }
            assertEquals(1, node.node().metrics().slowClientDisconnects(),
                    "the client's queue never filled in " + published + " publishes of 8 KB");

            List<String> pongs = new ArrayList<>();
            int texts = 0;
            RawWebSocket.Frame f;
            while ((f = client.readWhole()).opcode() != 8) {
                if (f.opcode() == 10) {
                    pongs.add(f.text());
                } else {
                    assertEquals(1, f.opcode(), "frame " + (texts + pongs.size()));
                    String t = f.text();
                    int n = texts;
                    assertTrue(t.equals(n + ":" + pad), () -> "text " + n + " torn or out of order: "
                            + t.length() + " chars, " + t.substring(0, Math.min(20, t.length())) + "..."
                            + t.substring(Math.max(0, t.length() - 60)).replaceAll("[^ -~]", "?"));
                    texts++;
                }
            }
            assertEquals(1013, f.closeCode(), f.text());
            assertTrue(texts > 0 && texts < published, texts + " of " + published + " texts before the close");
            for (int i = 0; i < pongs.size(); i++) {
                assertEquals("ping-" + i, pongs.get(i), "pong " + i);
            }
            assertTrue(!pongs.isEmpty(), "no pong came back for " + pings + " pings");
            assertThrows(IOException.class, client::readWhole, "nothing may follow the close frame (EOF or reset)");
            System.out.printf("frame gate on the wire: %d of %d texts, %d pongs for %d pings, then 1013%n", texts,
                    published, pongs.size(), pings);
        } catch (IOException e) {
            throw new AssertionError("the stream broke: " + e, e);
        }
    }
}
