package io.channelpush.channel.daemon;

import io.channelpush.channel.TestData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.RawClient;
import io.channelpush.channel.protocol.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Item 16: an exception from one connection's handling closes that connection only; a death of the event loop
 * closes every socket, the listening one included, and reaches the fatal-error handler. The fault is injected
 * through the daemon's message probe: a {@code ping} carrying a {@code "fault"} field throws.
 */
class FailureIsolationTest {

    private static ChannelDaemon daemon(Consumer<Throwable> fatal, Consumer<Message> probe) throws IOException {
        return ChannelDaemon.start(TestData.config().withPort(0), fatal, server -> server::accept, probe);
    }

    private static Consumer<Message> throwing(Throwable t) {
        return m -> {
            if (m.json().has("fault")) {
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) t;
            }
        };
    }

    @Test
    void anExceptionFromOneConnectionClosesThatConnectionAndTheOthersGoOn() throws Exception {
        CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        try (ChannelDaemon d = daemon(fatal::complete, throwing(new IllegalStateException("injected bug")));
             RawClient healthy = RawClient.hello(d.port());
             RawClient victim = RawClient.hello(d.port())) {
            healthy.sendJson("{\"type\":\"subscribe\",\"channels\":[\"news\"]}");
            victim.sendJson("{\"type\":\"ping\",\"fault\":true}");
            assertEquals("internal_error", victim.read().get("code").getAsString());
            assertTrue(victim.closedByDaemon(), "the failing connection must be closed");

            try (RawClient publisher = RawClient.hello(d.port())) {
                publisher.sendJson("{\"type\":\"publish\",\"channels\":[\"news\"],\"data\":\"still here\"}");
            }
            assertEquals("still here", healthy.read().get("data").getAsString());
            healthy.sendJson("{\"type\":\"ping\"}");
            assertEquals("pong", healthy.read().get("type").getAsString());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = DaemonMain.run(new String[] {"status", "--port", String.valueOf(d.port())},
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("clients            2"), out.toString());
            assertTrue(!fatal.isDone(), "one connection's failure is not fatal");
        }
    }

    @Test
    void aDeathOfTheLoopClosesEverySocketAndCallsTheFatalHandler() throws Exception {
        CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        try (ChannelDaemon d = daemon(fatal::complete, throwing(new OutOfMemoryError("injected")));
             RawClient bystander = RawClient.hello(d.port());
             RawClient trigger = RawClient.hello(d.port())) {
            trigger.sendJson("{\"type\":\"ping\",\"fault\":true}");
            Throwable death = fatal.get(10, TimeUnit.SECONDS);
            assertInstanceOf(OutOfMemoryError.class, death);
            assertEquals("shutting_down", bystander.read().get("code").getAsString());
            assertTrue(bystander.closedByDaemon());
            // the port is released, not held by a daemon that no longer serves
            assertThrows(ConnectException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", d.port()), 2_000);
                }
            });
        }
    }

    @Test
    void aHugeExponentInHelloIsAProtocolErrorNotACrash() throws Exception {
        CompletableFuture<Throwable> fatal = new CompletableFuture<>();
        try (ChannelDaemon d = daemon(fatal::complete, m -> { });
             RawClient bad = new RawClient(d.port())) {
            // gson's getAsLong throws NumberFormatException on this: it used to end the daemon's only thread
            bad.sendJson("{\"type\":\"hello\",\"protocol\":1e99999999999}");
            assertEquals("missing_field", bad.read().get("code").getAsString());
            assertTrue(bad.closedByDaemon());
            try (RawClient fresh = RawClient.hello(d.port())) {
                fresh.sendJson("{\"type\":\"ping\"}");
                assertEquals("pong", fresh.read().get("type").getAsString());
            }
            assertTrue(!fatal.isDone());
        }
    }

    @Test
    void helloDeadlineHasADefaultOfFiveSeconds() {
        assertEquals(Duration.ofSeconds(5), DaemonConfig.defaults().helloTimeout());
    }
}
