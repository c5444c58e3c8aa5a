package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.push.LogCapture;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link NatsBus} whose connection is up but whose JetStream requests are none served reconnects after
 * {@link JetStreamSilence#LIMIT} (the default), to the next server, and its publishes are acknowledged there. The
 * server that does not serve them is a real one: a JetStream server of a cluster whose other members never come, so
 * it has no meta leader; it lets the first requests time out, then answers every stream request "JetStream system
 * temporarily unavailable" (10008), while it answers pings.
 */
@Timeout(120)
class NatsJetStreamSilenceTest {
    @TempDir
    Path dir;

    @Test
    void aNodeWhoseServerLeavesJetStreamSilentReconnectsToTheNextServerAndItsPublishesAreAcknowledged()
            throws Exception {
        int nobody = NatsServerProcess.freePort();
        NatsServerProcess silent = NatsServerProcess.startJetStream(Files.createDirectories(dir.resolve("silent")),
                "silent", NatsServerProcess.freePort(), NatsServerProcess.freePort(), nobody);
        NatsServerProcess healthy = NatsServerProcess.startJetStream(Files.createDirectories(dir.resolve("healthy")));
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (silent; healthy;
             LogCapture log = new LogCapture(NatsStreams.class, Level.WARNING);
             NatsBus bus = NatsStreamTest.bus(silent.url() + "," + healthy.url(), NatsStreamSettings.DEFAULTS,
                     events)) {
            assertEquals("connected", events.poll(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            StreamPosition acked = null;
            while (acked == null) {
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "no publish acknowledged");
                try {
                    acked = bus.publishAcked(Channels.BROADCAST, NatsStreamTest.text("m"), Duration.ofSeconds(2))
                            .get(10, TimeUnit.SECONDS);
                } catch (ExecutionException notOk) {
                    // 503 while no stream is ready; 504 for one sent as the stream became ready, near its deadline
                    assertTrue(notOk.getCause() instanceof BusUnavailableException
                            || notOk.getCause() instanceof PublishOutcomeUnknownException, notOk.toString());
                    Thread.sleep(200); // retry pacing
                }
            }
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            String line = log.await(Level.WARNING, "has served none of this node's requests").getMessage();
            System.out.println("first publish acknowledged after " + waited + " ms; the bus said: " + line);
            assertTrue(line.contains(silent.url().substring("nats://".length())), line);
            assertTrue(waited >= JetStreamSilence.LIMIT.toMillis(), "acknowledged after " + waited + " ms: "
                    + "the silent server answered after all, and the test proves nothing");
            assertEquals("disconnected", events.poll(10, TimeUnit.SECONDS));
            assertEquals("reconnected", events.poll(10, TimeUnit.SECONDS));
            assertTrue(bus.connection().getConnectedUrl().endsWith(":" + healthy.port), bus.connection()
                    .getConnectedUrl());
            try (Connection plain = Nats.connect(healthy.url())) {
                assertEquals("m", NatsStreamTest.text(plain.jetStreamManagement().getMessage("CHANNELPUSH_B",
                        acked.offset()).getData()), "the healthy server's stream holds it where it was acknowledged");
            }
        }
    }
}
