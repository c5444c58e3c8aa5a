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
 * {@code channelpush.write-delay-ms} over a real socket: a client's messages wait that long and arrive in order.
 * That what arrives meanwhile goes out in one batch is proven without sockets by {@link PushSessionTest}.
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
    void messagesWaitForTheDelayAndArriveInOrder() throws Exception {
        try (RawWebSocket raw = new RawWebSocket(delayed.port(0), 0)) {
            assertTrue(raw.read().text().startsWith("workerID:delayed connectionID:"));
            long published = System.nanoTime();
            for (String word : List.of("one", "two", "three")) {
                assertEquals("ok", fx.get(delayed, "content=" + word).getContentAsString());
            }
            List<String> texts = new java.util.ArrayList<>();
            while (texts.size() < 3) {
                RawWebSocket.Frame f = raw.read();
                if (f.opcode() == 1) {
                    texts.add(f.text());
                }
            }
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published);
            // That what arrives within the delay shares one write is PushSessionTest's (no socket, no timing window).
            assertEquals(List.of("one", "two", "three"), texts, "the three broadcasts, in order");
            // the first of them was held back for the delay (a lower bound: the node may be slower, never faster)
            assertTrue(waitedMs >= DELAY_MS - 50, "arrived after " + waitedMs + " ms");
        }
    }
}
