package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The client logs the daemon's error answers at most once a second per code, with a count: a node whose every
 * publish or enqueue is refused (a full queue, a daemon over capacity) writes a few lines, not one per request.
 */
class ClientErrorLogTest {
    @Test
    void thousandsOfRefusedEnqueuesWriteAboutOneLinePerSecondWithACount() throws Exception {
        Logger clientLog = Logger.getLogger(ChannelClient.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains(" reports queue_full")) {
                    lines.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        clientLog.addHandler(capture);
        AtomicInteger refused = new AtomicInteger();
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0).withQueueLimit(10));
             ChannelClient client = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()),
                     new ChannelClient.Listener() {
                         @Override
                         public void onError(ErrorCode code, String message) {
                             if (code == ErrorCode.QUEUE_FULL) {
                                 refused.incrementAndGet();
                             }
                         }
                     })) {
            assertTrue(client.awaitConnected(Duration.ofSeconds(10)));
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(30);
            // refusals until a second line, which carries the count of those suppressed, or 30 s
            while (!lines.stream().anyMatch(l -> l.contains("more like this")) && System.nanoTime() < deadline) {
                for (int i = 0; i < 100; i++) {
                    client.enqueue("nobody-watches", new JsonPrimitive(i));
                }
                Thread.sleep(20); // pacing the load, not synchronising: the loop's condition is what it waits for
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(refused.get() > 100, "the daemon refused " + refused.get() + " enqueues");
            assertTrue(lines.stream().anyMatch(l -> l.matches(".*\\(and \\d+ more like this since the previous such line\\)")),
                    "a line counts the suppressed refusals: " + lines);
            assertTrue(lines.size() <= 2 + seconds, lines.size() + " lines for " + refused.get() + " refusals in "
                    + seconds + " s: " + lines);
        } finally {
            clientLog.removeHandler(capture);
        }
    }
}
