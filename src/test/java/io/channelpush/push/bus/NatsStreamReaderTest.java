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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream subscription starts after the messages published before it was made, even when the stream's info it is
 * first told of was asked for earlier (a connection's set-up still under way when the subscriber came: under load
 * that info arrived after the subscriber and predated a message, which then reached the handler too).
 */
@Timeout(60)
class NatsStreamReaderTest {
    @TempDir
    Path dir;

    @Test
    void infoAskedBeforeTheSubscriberIsIgnoredAndLaterInfoStartsItAfterTheLastMessage() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startJetStream(dir);
             Connection c = Nats.connect(server.url())) {
            NatsStreams.Stream stream = new NatsStreams.Stream(Channels.BROADCAST);
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name(stream.name).subjects(stream.subject)
                    .storageType(StorageType.File).build());
            JetStream js = c.jetStream();
            long staleAsked = System.nanoTime();
            StreamInfo stale = c.jetStreamManagement().getStreamInfo(stream.name);
            js.publish(stream.subject, NatsStreamTest.text("before"));
            List<String> got = new CopyOnWriteArrayList<>();
            NatsStreamReader reader = new NatsStreamReader(stream, (p, pos) -> got.add(NatsStreamTest.text(p)),
                    seq -> true, () -> { });
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
}
