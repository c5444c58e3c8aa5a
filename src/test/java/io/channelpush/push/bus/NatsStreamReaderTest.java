package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StorageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream subscription on a real JetStream server: it starts after the messages published before it was made, even
 * when the stream's info it is first told of was asked for earlier (a connection's set-up still under way when the
 * subscriber came: under load that info arrived after the subscriber and predated a message, which then reached the
 * handler too); and a consumer that jumps over a sequence is read again until the stream's leader says the message
 * is gone, through {@link NatsStreams#held}.
 */
@Timeout(60)
class NatsStreamReaderTest {
    @TempDir
    Path dir;

    @Test
    void infoAskedBeforeTheSubscriberIsIgnoredAndLaterInfoStartsItAfterTheLastMessage() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startJetStream(dir);
             Connection c = Nats.connect(server.url())) {
            NatsStreams.Stream stream = stream(c);
            JetStream js = c.jetStream();
            long staleAsked = System.nanoTime();
            StreamInfo stale = c.jetStreamManagement().getStreamInfo(stream.name);
            js.publish(stream.subject, NatsStreamTest.text("before"));
            List<String> got = new CopyOnWriteArrayList<>();
            NatsStreamReader reader = new NatsStreamReader(stream, (p, pos) -> got.add(NatsStreamTest.text(p)),
                    new ConsumerHoles(seq -> ConsumerHoles.Held.STORED, ConsumerHoles.PATIENCE), () -> { }, () -> { });
            Dispatcher d = c.createDispatcher();

            assertTrue(reader.ready(stale, staleAsked, js, d), "nothing to try again");
            assertNull(reader.delivered(), "not started by info asked before it was made");
            assertFalse(reader.awaitStarted(Duration.ZERO));

            long freshAsked = System.nanoTime();
            assertTrue(reader.ready(c.jetStreamManagement().getStreamInfo(stream.name), freshAsked, js, d));
            assertEquals(1, reader.delivered().offset(), "starts after the message published before it");
            js.publish(stream.subject, NatsStreamTest.text("after"));
            NatsStreamTest.await(() -> !got.isEmpty(), "the message published after it");
            assertEquals(List.of("after"), got);
        }
    }

    @Test
    void aMessageMissingFromTheMiddleOfTheStreamIsSkippedOnlyAfterTheLeaderLackedItForThePatience() throws Exception {
        Duration patience = Duration.ofSeconds(2);
        Jump jump = jumpOver(patience, 2);
        assertEquals(List.of("3"), jump.got, "the message after the hole, once");
        assertTrue(jump.nanos >= patience.toNanos(), "skipped after " + jump.nanos / 1_000_000 + " ms");
        assertTrue(jump.restarts >= 2, "read again " + jump.restarts + " times");
    }

    @Test
    void messagesBelowTheStreamsFirstSequenceAreSkippedWithoutWaitingForThePatience() throws Exception {
        Jump jump = jumpOver(Duration.ofHours(1), 1, 2);
        assertEquals(List.of("3"), jump.got);
        assertEquals(1, jump.restarts, "read again once: the second sighting asks the leader, who says they are gone");
    }

    @Test
    void whatTheLeaderSaysOfASequenceIsStoredMissingOrBeyondRetentionAndUnknownWithoutAnAnswer() throws Exception {
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try (NatsServerProcess server = NatsServerProcess.startJetStream(dir)) {
            Connection c = Nats.connect(server.url());
            NatsStreams.Stream stream = stream(c);
            NatsStreams streams = streams(exec, c);
            for (String m : List.of("1", "2", "3", "4")) {
                c.jetStream().publish(stream.subject, NatsStreamTest.text(m));
            }
            c.jetStreamManagement().deleteMessage(stream.name, 1);
            c.jetStreamManagement().deleteMessage(stream.name, 3);
            assertEquals(ConsumerHoles.Held.BEYOND_RETENTION, streams.held(stream, 1));
            assertEquals(ConsumerHoles.Held.STORED, streams.held(stream, 2));
            assertEquals(ConsumerHoles.Held.MISSING, streams.held(stream, 3));
            assertEquals(ConsumerHoles.Held.STORED, streams.held(stream, 4));
            c.close();
            assertEquals(ConsumerHoles.Held.UNKNOWN, streams.held(stream, 2), "no connection: no answer");
        } finally {
            exec.shutdownNow();
        }
    }

    private record Jump(List<String> got, long nanos, int restarts) {
    }

    /**
     * A reader that delivered message 1 of "1", "2", "3" is started again after {@code deleted} were deleted: its
     * consumer jumps from 1 to 3. Returns what the handler got, how long after the start it got "3", and how often the
     * reader asked to be started again.
     */
    private Jump jumpOver(Duration patience, long... deleted) throws Exception {
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try (NatsServerProcess server = NatsServerProcess.startJetStream(dir);
             Connection c = Nats.connect(server.url())) {
            NatsStreams.Stream stream = stream(c);
            NatsStreams streams = streams(exec, c);
            JetStream js = c.jetStream();
            Dispatcher d = c.createDispatcher();
            List<String> got = new CopyOnWriteArrayList<>();
            AtomicLong gotThreeAt = new AtomicLong();
            AtomicInteger restarts = new AtomicInteger();
            NatsStreamReader[] reader = new NatsStreamReader[1];
            Runnable start = () -> {
                try {
                    reader[0].ready(c.jetStreamManagement().getStreamInfo(stream.name), System.nanoTime(), js, d);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            reader[0] = new NatsStreamReader(stream, (p, pos) -> {
                got.add(NatsStreamTest.text(p));
                gotThreeAt.set(System.nanoTime());
            }, new ConsumerHoles(seq -> streams.held(stream, seq), patience), () -> {
                restarts.incrementAndGet();
                exec.execute(start);
            }, () -> {
                restarts.incrementAndGet();
                exec.schedule(start, 100, TimeUnit.MILLISECONDS);
            });
            js.publish(stream.subject, NatsStreamTest.text("1"));
            StreamInfo afterOne = c.jetStreamManagement().getStreamInfo(stream.name);
            js.publish(stream.subject, NatsStreamTest.text("2"));
            js.publish(stream.subject, NatsStreamTest.text("3"));
            for (long seq : deleted) {
                c.jetStreamManagement().deleteMessage(stream.name, seq);
            }
            long started = System.nanoTime();
            assertTrue(reader[0].ready(afterOne, started, js, d), "started after message 1");
            NatsStreamTest.await(() -> !got.isEmpty(), "the message after the hole");
            assertEquals(3, reader[0].delivered().offset());
            return new Jump(List.copyOf(got), gotThreeAt.get() - started, restarts.get());
        } finally {
            exec.shutdownNow();
        }
    }

    /** The streams of a bus on {@code c}, without a bus: what {@link NatsStreams#held} needs. */
    private static NatsStreams streams(ScheduledExecutorService exec, Connection c) {
        return new NatsStreams(NatsStreamSettings.DEFAULTS, 1 << 20, exec, () -> c,
                new NatsCoreAcks(exec, NatsStreams.API_TIMEOUT), (s, i, a) -> { }, () -> {
                    throw new AssertionError("a reconnect, although JetStream answers");
                });
    }

    /** The broadcast stream, created on {@code c}'s server (file storage). */
    private static NatsStreams.Stream stream(Connection c) throws Exception {
        NatsStreams.Stream stream = new NatsStreams.Stream(Channels.BROADCAST);
        c.jetStreamManagement().addStream(StreamConfiguration.builder().name(stream.name).subjects(stream.subject)
                .storageType(StorageType.File).build());
        return stream;
    }
}
