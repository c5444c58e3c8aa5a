package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The stop log line counts the WebSockets the node really closed, and the clients see the node's 1001. */
class StopLogTest {
    private static final Logger NODE_LOG = Logger.getLogger(PushNode.class.getName());

    @Test
    void theStopLineCountsTheConnectionsClosedWith1001() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                log.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = NODE_LOG.getLevel();
        NODE_LOG.setLevel(Level.INFO);
        NODE_LOG.addHandler(capture);
        try (PushFixture fx = new PushFixture()) {
            Launcher node = fx.node("stop-log");
            TestClient a = fx.connect(node);
            TestClient b = fx.connect(node);
            node.close();
            assertEquals(1001, a.awaitClose());
            assertEquals(1001, b.awaitClose());
            assertEquals("node shutting down", a.closeReason.get(5, TimeUnit.SECONDS),
                    "the node did not close the socket itself");
            assertTrue(log.contains("worker stop-log stopped; closed 2 connections with 1001"), log.toString());
        } finally {
            NODE_LOG.removeHandler(capture);
            NODE_LOG.setLevel(level);
        }
    }
}
