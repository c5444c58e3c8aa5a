package io.channelpush.push.bus;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what NatsBus logs while open. */
final class LogCapture extends Handler implements AutoCloseable {
    final LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
    private final Logger logger = Logger.getLogger(NatsBus.class.getName());

    private final Level level = logger.getLevel();

    LogCapture() {
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(level);
    }

    /** Waits up to 10 s for a record at {@code level} or above containing {@code text}. */
    LogRecord await(Level level, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> seen = new java.util.ArrayList<>();
        for (LogRecord r; (r = records.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null; ) {
            seen.add(r.getLevel() + " " + r.getMessage());
            if (r.getLevel().intValue() >= level.intValue() && r.getMessage().contains(text)) {
                return r;
            }
        }
        throw new AssertionError("no " + level + " log containing \"" + text + "\"; seen: " + seen);
    }
}
