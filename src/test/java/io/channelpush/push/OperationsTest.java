package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health, metrics, JMX and graceful stop of a node. A fresh daemon and node per test. */
class OperationsTest {
    private PushFixture fx;
    private Launcher node;

    @BeforeEach
    void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("ops-" + System.nanoTime());
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    private ContentResponse get(String path) throws Exception {
        return fx.http.newRequest("http://127.0.0.1:" + node.port(1) + path).timeout(5, TimeUnit.SECONDS).send();
    }

    private double metric(String name) throws Exception {
        String text = get("/metrics").getContentAsString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), name + " missing from:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsReflectAScriptedSequenceExactly() throws Exception {
        double deliveredBefore = metric("channelpush_messages_delivered_total");
        List<TestClient> clients = List.of(fx.connect(node), fx.connect(node), fx.connect(node));
        assertEquals(3, metric("channelpush_connections"));
        for (int i = 0; i < 5; i++) {
            assertEquals("ok", fx.get(node, "content=m" + i).getContentAsString());
        }
        for (TestClient c : clients) {
            for (int i = 0; i < 5; i++) {
                assertEquals("m" + i, c.next());
            }
        }
        assertEquals(deliveredBefore + 15, metric("channelpush_messages_delivered_total"));
        assertEquals(5, metric("channelpush_publishes_total{kind=\"broadcast\"}"));
        assertEquals(0, metric("channelpush_publishes_total{kind=\"targeted\"}"));
        assertEquals(3, metric("channelpush_connections_opened_total"));
        assertEquals(1, metric("channelpush_bus_connected"));
        assertTrue(get("/metrics").getMediaType().startsWith("text/plain"));
    }

    @Test
    void readinessIs503WhileTheDaemonIsDownAnd200WithinTwoSecondsOfItsReturn() throws Exception {
        ContentResponse ready = get("/health/ready");
        assertEquals(200, ready.getStatus(), ready.getContentAsString());
        JsonObject body = JsonParser.parseString(ready.getContentAsString()).getAsJsonObject();
        assertEquals("UP", body.get("status").getAsString());
        assertEquals("connected", body.get("bus").getAsString());

        fx.stopDaemon();
        PushFixture.await(() -> status("/health/ready") == 503, "readiness stayed 200 with the daemon down");
        JsonObject down = JsonParser.parseString(get("/health/ready").getContentAsString()).getAsJsonObject();
        assertEquals("disconnected", down.get("bus").getAsString());
        assertEquals(200, get("/health/live").getStatus(), "liveness does not depend on the bus");

        long restarted = System.nanoTime();
        fx.restartDaemon();
        PushFixture.await(() -> status("/health/ready") == 200, "readiness never came back");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
        assertTrue(millis <= 2_000, "ready again after " + millis + " ms");
        // the client turns connected before its listener counts the reconnect: wait for the count, then check it
        PushFixture.await(() -> metricNow("channelpush_channel_reconnects_total") >= 1, "the reconnect was never counted");
        assertEquals(1, metric("channelpush_channel_reconnects_total"));
    }

    private double metricNow(String name) {
        try {
            return metric(name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private int status(String path) {
        try {
            return get(path).getStatus();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void unknownHealthPathIs404() throws Exception {
        assertEquals(404, get("/health/whatever").getStatus());
    }

    @Test
    void jmxShowsTheSameFiguresAndIsUnregisteredOnStop() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.channelpush:type=PushNode,worker=\"" + node.node().workerId() + "\"");
        assertTrue(server.isRegistered(name));
        TestClient c = fx.connect(node);
        fx.get(node, "content=x");
        assertEquals("x", c.next());
        assertEquals(1, server.getAttribute(name, "OpenConnections"));
        assertEquals(1L, server.getAttribute(name, "BroadcastPublishes"));
        assertEquals(true, server.getAttribute(name, "Ready"));
        assertEquals((long) metric("channelpush_messages_delivered_total"), server.getAttribute(name, "MessagesDelivered"));
        node.close();
        assertFalse(server.isRegistered(name));
    }

    @Test
    void stopTurnsReadinessOffClosesSocketsWith1001AndEndsTheNodesThreads() throws Exception {
        String worker = node.node().workerId();
        TestClient a = fx.connect(node);
        TestClient b = fx.connect(node);
        node.node().stopAccepting();
        assertEquals(503, get("/health/ready").getStatus(), "readiness must turn 503 before sockets close");
        node.close();
        assertEquals(1001, a.awaitClose());
        assertEquals(1001, b.awaitClose());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().contains(worker)),
                "threads of worker " + worker + " survived the stop");
    }
}
