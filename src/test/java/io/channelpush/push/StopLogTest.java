package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** The stop log line counts the WebSockets the node really closed, and the clients see the node's 1001. */
class StopLogTest {
    @Test
    void theStopLineCountsTheConnectionsClosedWith1001() throws Exception {
        try (LogCapture log = new LogCapture(PushNode.class, Level.INFO); PushFixture fx = new PushFixture()) {
            Launcher node = fx.node("stop-log");
            TestClient a = fx.connect(node);
            TestClient b = fx.connect(node);
            node.close();
            assertEquals(1001, a.awaitClose());
            assertEquals(1001, b.awaitClose());
            assertEquals("node shutting down", a.closeReason.get(5, TimeUnit.SECONDS),
                    "the node did not close the socket itself");
            List<String> lines = log.messages(Level.INFO);
            assertTrue(lines.contains("worker stop-log stopped; closed 2 connections with 1001"), lines.toString());
        }
    }
}
