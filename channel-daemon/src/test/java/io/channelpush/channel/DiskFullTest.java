package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ChannelUnavailableException;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.client.OutcomeUnknownException;
import io.channelpush.channel.client.StreamOffset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A full disk, without root: the daemon ({@code DaemonMain}, default settings) runs as a child process under
 * {@code prlimit --fsize}, so writing its stream log past 200,000 bytes fails ("File too large", as a full disk
 * would; the JVM ignores SIGXFSZ). Publishes of 1 KB to stream {@code b}: those the log took are acknowledged with
 * their offsets; the first one whose record could not be written gets no ack (its outcome is unknown: the daemon
 * writes it once the disk takes it); every later one is refused at once with {@code storage_failed} (certainly not
 * taken), not left to the client's ack timeout; a publish to a channel that is not a stream is still acknowledged;
 * and the daemon logs SEVERE with the error and what to do. Bounded: at most 400 publishes, 3 s each.
 */
class DiskFullTest {
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(3);

    @Test
    void aStreamLogThatHitsAFullDiskRefusesLaterPublishesAtOnceWhileTheUnwrittenOneStaysUnknown() throws Exception {
        try (LimitedDaemon d = LimitedDaemon.start("--fsize=200000")) {
            int port = d.port;
            Process daemon = d.process;
            List<String> output = d.output;
            byte[] kilobyte = ("\"" + "x".repeat(1000) + "\"").getBytes(StandardCharsets.UTF_8);
            try (ChannelClient c = ChannelClient.start(ClientOptions.of("127.0.0.1", port))) {
                assertTrue(c.awaitConnected(Duration.ofSeconds(10)));
                int acked = 0;
                Throwable first = null;
                for (int i = 0; i < 400 && first == null; i++) {
                    try {
                        StreamOffset o = c.publishAcked("b", kilobyte, ACK_TIMEOUT).get(10, TimeUnit.SECONDS);
                        assertEquals(acked + 1, o.offset());
                        acked++;
                    } catch (ExecutionException e) {
                        first = e.getCause();
                    }
                }
                assertTrue(acked > 100 && acked < 200, acked + " publishes fit under 200,000 bytes");
                assertInstanceOf(OutcomeUnknownException.class, first,
                        "the record the disk did not take: its ack waits, so its outcome is unknown");
                for (int i = 0; i < 3; i++) {
                    Throwable refused = failure(c.publishAcked("b", kilobyte, ACK_TIMEOUT));
                    assertInstanceOf(ChannelUnavailableException.class, refused,
                            "refused at once, not left to the ack timeout: " + refused);
                    assertTrue(refused.getMessage().contains("storage_failed"), refused.getMessage());
                }
                assertNull(c.publishAcked("w:x", kilobyte, ACK_TIMEOUT).get(10, TimeUnit.SECONDS),
                        "a channel that is not a stream is still acknowledged");
            }
            assertTrue(output.stream().anyMatch(l -> l.contains("SEVERE") && l.contains("could not write the stream "
                    + "logs") && l.contains("File too large") && l.contains("new publishes to the stream are refused")),
                    "the daemon says what failed and what to do: " + output);
            assertTrue(daemon.isAlive(), "the daemon is still running: " + output);
        }
    }

    private static Throwable failure(java.util.concurrent.CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("acknowledged");
    }
}
