package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.channelpush.channel.TestData;
import io.channelpush.push.FatalErrors;
import io.channelpush.push.RawWebSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xnio.management.XnioServerMXBean;

/**
 * A connection the node closes does not outlive its close frame's deadline (one ping interval, 25 s by default):
 * a client that stops reading, is closed with 1013 and never takes its close frame would otherwise keep the
 * connection, and what is queued for it, for as long as TCP lasts, while it no longer counts against the node's
 * connection limit. Real launcher with its defaults, raw client.
 */
class CloseDeadlineTest {
    private static final int MAX_PUBLISHES = 2_000;
    /** The default ping interval (the deadline), and room for a loaded machine. */
    private static final long DEADLINE_MILLIS = 25_000;
    private static final long SLACK_MILLIS = 20_000;

    @Test
    void aClientThatNeverTakesItsCloseFrameIsCutAtTheDeadlineAndWhatItWasSentStaysWhole() throws Exception {
        try (Launcher node = Launcher.start(LauncherOptions.parse("--ws-port", "0", "--http-port", "0",
                "--channel-port", "0", "--channel-data-dir", TestData.freshDir().toString(), "--no-demo"),
                Map.of(), Map.of(), FatalErrors.MARK_DEAD);
             RawWebSocket client = new RawWebSocket(node.port(0), 16 * 1024, "")) {
            XnioServerMXBean ws = listener(node, node.port(0));
            assertTrue(client.readWhole().text().startsWith("workerID:"), "welcome");
            assertEquals(1, ws.getConnectionCount());

            HttpClient http = HttpClient.newHttpClient();
            URI publisher = URI.create("http://127.0.0.1:" + node.port(node.portCount() - 1) + "/");
            String pad = "p".repeat(8_000);
            int published = 0;
            while (node.node().metrics().slowClientDisconnects() == 0 && published < MAX_PUBLISHES) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(publisher)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("content=" + published + ":" + pad)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                published++;
            }
            assertEquals(1, node.node().metrics().slowClientDisconnects(), "never closed with 1013");
            long closedAt = System.nanoTime();

            long limit = closedAt + (DEADLINE_MILLIS + SLACK_MILLIS) * 1_000_000;
            while (ws.getConnectionCount() > 0) {
                if (System.nanoTime() > limit) {
                    fail("the connection is still open " + (DEADLINE_MILLIS + SLACK_MILLIS) + " ms after its 1013");
                }
                Thread.sleep(50); // polling a gauge: nothing to wait on
            }
            long tookMillis = (System.nanoTime() - closedAt) / 1_000_000;
            assertTrue(tookMillis >= DEADLINE_MILLIS - 1_000, "cut after " + tookMillis + " ms, before its deadline");

            // what went out before the cut is whole and in order; the stream ends there (the close frame, still
            // behind the frames the socket never took, may not have gone out)
            int texts = 0;
            int closeCode = -1;
            try {
                while (true) {
                    RawWebSocket.Frame f = client.readWhole();
                    assertEquals(-1, closeCode, "a frame after the close frame");
                    if (f.opcode() == 8) {
                        closeCode = f.closeCode();
                        assertEquals(1013, closeCode);
                        continue;
                    }
                    assertEquals(1, f.opcode());
                    assertTrue(f.text().equals(texts + ":" + pad), "text " + texts + " torn or out of order");
                    texts++;
                }
            } catch (java.io.EOFException | java.net.SocketException e) {
                // the cut
            }
            assertTrue(texts > 0, "nothing arrived");
            System.out.printf("close deadline: cut %d ms after the 1013; %d of %d texts went out before it, %s%n",
                    tookMillis, texts, published, closeCode == -1 ? "no close frame" : "then the close frame");
        }
    }

    private static XnioServerMXBean listener(Launcher node, int port) {
        for (XnioServerMXBean s : node.worker().getMXBean().getServerMXBeans()) {
            if (s.getBindAddress().endsWith(":" + port)) {
                return s;
            }
        }
        throw new AssertionError("no listener on port " + port + " among "
                + node.worker().getMXBean().getServerMXBeans().stream().map(XnioServerMXBean::getBindAddress).toList());
    }
}
