package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Item 17 at the default settings: the hello deadline, and rate-limited logging of what a client can trigger. */
class HostileTimingTest {

    @Test
    void aConnectionTricklingAHelloThatNeverCompletesIsClosedAtTheDefaultDeadline() throws Exception {
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0));
             RawClient slow = new RawClient(daemon.port())) {
            slow.socket.setSoTimeout(20_000);
            // a hello of 1,000+ bytes sent one byte every 500 ms would take over 8 minutes
            byte[] hello = Messages.hello("s".repeat(1_000), null);
            long start = System.nanoTime();
            Thread trickle = new Thread(() -> {
                try {
                    OutputStream out = slow.socket.getOutputStream();
                    for (byte b : hello) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(500); // the attack itself: slow bytes, not a synchronisation
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the daemon, as expected
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            JsonObject err = slow.read();
            long seconds = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("hello_timeout", err.get("code").getAsString(), err.toString());
            assertTrue(slow.closedByDaemon());
            assertTrue(seconds >= 4_900 && seconds < 9_000, "closed after " + seconds + " ms, default deadline 5 s");
            trickle.interrupt();
        }
    }

    @Test
    void fiveThousandRefusedEnqueuesWriteAHandfulOfLogLines() throws Exception {
        Logger logger = Logger.getLogger("io.channelpush.channel.daemon");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains("queue_full")) {
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
        logger.addHandler(capture);
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0).withQueueLimit(1));
             RawClient producer = RawClient.hello(daemon.port())) {
            long start = System.nanoTime();
            int n = 5_000;
            for (int i = 0; i < n; i++) {
                producer.sendJson("{\"type\":\"enqueue\",\"queue\":\"q\",\"data\":" + i + "}");
            }
            int refused = 0;
            while (refused < n - 1) {
                JsonObject m = producer.read();
                assertEquals("queue_full", m.get("code").getAsString());
                refused++;
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(lines.size() >= 1, "the refusals are logged");
            assertTrue(lines.size() <= seconds + 2, lines.size() + " lines in " + seconds + " s: " + lines);
            producer.sendJson("{\"type\":\"ping\"}");
            assertEquals("pong", producer.read().get("type").getAsString());
        } finally {
            logger.removeHandler(capture);
        }
    }
}
