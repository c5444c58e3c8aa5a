package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code channelpush.write-delay-ms}: a client's messages wait that long, and what arrives meanwhile reaches the
 * socket in one write, in order.
 */
class WriteDelayTest {
    private static final int DELAY_MS = 500;
    private static PushFixture fx;
    private static Launcher delayed;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        delayed = fx.node("delayed", "--set", PushConfig.WRITE_DELAY_MS + "=" + DELAY_MS);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void messagesArrivingWithinTheDelayShareOneWriteInOrder() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(delayed.port(0), 0)) {
            assertTrue(raw.read().text().startsWith("workerID:delayed connectionID:"));
            long published = System.nanoTime();
            for (String word : List.of("one", "two", "three")) {
                assertEquals("ok", fx.get(delayed, "content=" + word).getContentAsString());
            }
            List<RawWebSocket.Frame> frames;
            do {
                // a ping of the node's ping round (which goes through the same queue) may come in a read of its own
                frames = raw.readOnce().stream().filter(f -> f.opcode() != 9).toList();
            } while (frames.isEmpty());
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published);
            assertEquals(List.of("one", "two", "three"), frames.stream().map(RawWebSocket.Frame::text).toList(),
                    "the three broadcasts, in order, in one read");
            // the first of them was held back for the delay (a lower bound: the node may be slower, never faster)
            assertTrue(waitedMs >= DELAY_MS - 50, "arrived after " + waitedMs + " ms");
        }
    }
}
