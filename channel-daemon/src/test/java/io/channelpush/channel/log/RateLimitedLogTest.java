package io.channelpush.channel.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    @Test
    void writesAtMostOneLinePerSecondAndCountsTheSuppressedOnes() {
        Logger logger = Logger.getLogger("test.rate-limited." + System.nanoTime());
        logger.setUseParentHandlers(false);
        List<String> lines = new CopyOnWriteArrayList<>();
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        AtomicLong now = new AtomicLong(5_000_000_000L);
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARNING, now::get);
        for (int i = 0; i < 100_000; i++) {
            log.log(() -> "refused");
            now.addAndGet(1_000); // 100,000 events in 0.1 s
        }
        assertEquals(List.of("refused"), lines);
        now.addAndGet(RateLimitedLog.INTERVAL_NANOS);
        log.log(() -> "refused");
        assertEquals(2, lines.size());
        assertEquals("refused (and 99999 more like this since the previous such line)", lines.get(1));
        log.log(() -> "refused");
        assertEquals(2, lines.size());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("refused")));
    }

    @Test
    void concurrentCallersWriteOneLineAndEveryOtherEventIsCountedInTheNext() throws Exception {
        Logger logger = Logger.getLogger("test.rate-limited.concurrent." + System.nanoTime());
        logger.setUseParentHandlers(false);
        List<String> lines = new CopyOnWriteArrayList<>();
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        AtomicLong now = new AtomicLong(-7_000_000_000L);
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARNING, now::get);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    log.log(() -> "refused");
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertEquals(1, lines.size(), "40,000 events within one second from 4 threads: " + lines);
        now.addAndGet(RateLimitedLog.INTERVAL_NANOS);
        log.log(() -> "refused");
        assertEquals(2, lines.size());
        // Losers that count themselves between the winner's claim and its line are in that line (they came
        // before it was written); the rest are in the next. Every event is in exactly one line.
        assertEquals(40_001, 2 + counted(lines.get(0)) + counted(lines.get(1)), lines.toString());
    }

    /** The events a line counts besides its own: N in "(and N more like this ...)", else 0. */
    private static long counted(String line) {
        assertTrue(line.startsWith("refused"), line);
        int at = line.indexOf("(and ");
        return at < 0 ? 0 : Long.parseLong(line.substring(at + 5, line.indexOf(' ', at + 5)));
    }
}
