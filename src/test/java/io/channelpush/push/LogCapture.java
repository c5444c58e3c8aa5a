package io.channelpush.push;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What one logger (and the loggers below it) logs while this is open: the tests' one way to read log lines. Opening
 * sets the logger's level to the one asked for (the tests' logging.properties publishes WARNING and worse only);
 * closing removes the handler and restores the level. Thread-safe: records arrive on any thread.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
    private final List<LogRecord> all = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final Level level;

    /** Captures {@code loggerName} (a class's or a package's name) at {@code from} and above. */
    public LogCapture(String loggerName, Level from) {
        logger = Logger.getLogger(loggerName);
        level = logger.getLevel();
        logger.setLevel(from);
        logger.addHandler(this);
    }

    /** Captures the logger of {@code c} at {@code from} and above. */
    public LogCapture(Class<?> c, Level from) {
        this(c.getName(), from);
    }

    @Override
    public void publish(LogRecord r) {
        all.add(r);
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

    /** Every record so far, in order. */
    public List<LogRecord> records() {
        return List.copyOf(all);
    }

    /** The messages of the records at {@code atLeast} or above, in order ("null" for a record without one). */
    public List<String> messages(Level atLeast) {
        return all.stream().filter(r -> r.getLevel().intValue() >= atLeast.intValue())
                .map(r -> String.valueOf(r.getMessage()))
                .toList();
    }

    /**
     * Waits up to 10 s for a record at {@code atLeast} or above containing {@code text}, taking the records before it
     * off the queue {@link #await} reads (not off {@link #records}).
     */
    public LogRecord await(Level atLeast, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> seen = new ArrayList<>();
        for (LogRecord r; (r = records.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                != null; ) {
            seen.add(r.getLevel() + " " + r.getMessage());
            if (r.getLevel().intValue() >= atLeast.intValue() && r.getMessage().contains(text)) {
                return r;
            }
        }
        throw new AssertionError("no " + atLeast + " log containing \"" + text + "\"; seen: " + seen);
    }
}
