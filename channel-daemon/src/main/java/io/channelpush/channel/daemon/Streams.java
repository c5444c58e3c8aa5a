package io.channelpush.channel.daemon;

import io.channelpush.channel.log.RateLimitedLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The daemon's data folder: its lock, its {@link Epoch} and one {@link StreamLog} per stream channel. With the
 * {@code interval} fsync policy a thread of its own flushes the logs every interval; with {@code always} the event loop
 * calls {@link #commit} once per batch, before it sends the batch's acks. {@link #log}, {@link #commit} and
 * {@link #sweep} are for the event-loop thread; {@link #close} for any thread, idempotent, joins the flusher.
 */
final class Streams implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Streams.class.getName());

    /** A failing flush is retried every interval: its line once a minute. */
    private final RateLimitedLog flushErrors = new RateLimitedLog(LOG, Level.SEVERE);

    private final Path dataDir;
    private final String epoch;
    private final Map<String, StreamLog> logs = new LinkedHashMap<>();
    private final FileChannel lockFile;
    private final FileLock lock;
    private final List<StreamLog> dirty = new ArrayList<>();
    private final boolean always;
    private final Thread flusher;
    private volatile boolean closed;
    private final Object tick = new Object();

    private Streams(DaemonConfig config) throws IOException {
        dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        lockFile = FileChannel.open(dataDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockFile.close();
            throw new IOException("the data folder " + dataDir.toAbsolutePath() + " is in use by another channel "
                    + "daemon; give each daemon its own --data-dir");
        }
        lock = l;
        always = config.fsyncAlways();
        try {
            Epoch.Loaded e = Epoch.loadOrCreate(dataDir);
            epoch = e.epoch();
            Path root = dataDir.resolve("streams");
            if (e.created() && Files.exists(root)) {
                LOG.warning(() -> "data folder " + dataDir.toAbsolutePath() + " had stream logs but no epoch file; "
                        + "they are deleted and a new epoch " + epoch + " starts");
                deleteTree(root);
            }
            for (String ch : config.streamChannels()) {
                logs.put(ch, StreamLog.open(ch, root.resolve(folderName(ch)), config.retention(),
                        config.maxFrameBytes() + Segment.RECORD_OVERHEAD));
            }
        } catch (IOException | RuntimeException e) {
            closeLogs();
            lock.release();
            lockFile.close();
            throw e;
        }
        if (always) {
            flusher = null;
        } else {
            long interval = config.fsyncIntervalMillis();
            flusher = new Thread(() -> flushEvery(interval), "channel-daemon-fsync");
            flusher.setDaemon(true);
            flusher.start();
        }
    }

    /** Opens the data folder named by the config (creating it), or fails telling the operator why. */
    static Streams open(DaemonConfig config) throws IOException {
        return new Streams(config);
    }

    /** A folder name for a channel: the name itself when it is plain, else its UTF-8 bytes in hex. */
    static String folderName(String channel) {
        return channel.matches("[A-Za-z0-9_-]{1,64}") ? channel
                : "x-" + HexFormat.of().formatHex(channel.getBytes(StandardCharsets.UTF_8));
    }

    String epoch() {
        return epoch;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The log of a stream channel, or null when the channel is not a stream. */
    StreamLog log(String channel) {
        return logs.get(channel);
    }

    boolean fsyncAlways() {
        return always;
    }

    /** The log was appended to: the next {@link #commit} writes it (and with {@code --fsync always} flushes it). */
    void appended(StreamLog log) {
        if (!dirty.contains(log)) {
            dirty.add(log);
        }
    }

    /**
     * End of a batch: writes what was appended to each log since the last commit, one write per log, and with
     * {@code --fsync always} flushes it to the disk (group commit). A log that fails stays to be committed again.
     */
    void commit() throws IOException {
        for (int i = 0; i < dirty.size(); i++) {
            StreamLog log = dirty.get(i);
            log.writePending();
            if (always) {
                log.force();
            }
            dirty.remove(i--);
        }
    }

    boolean hasUncommitted() {
        return !dirty.isEmpty();
    }

    /** Age-based retention; called by the loop's periodic sweep. */
    void sweep(long nowMillis) {
        for (StreamLog log : logs.values()) {
            log.enforceRetention(nowMillis);
        }
    }

    private void flushEvery(long intervalMillis) {
        while (!closed) {
            synchronized (tick) {
                try {
                    // not interrupted to stop: an interrupt inside FileChannel.force would close the file
                    tick.wait(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (closed) {
                return; // close() flushes every log itself
            }
            for (StreamLog log : logs.values()) {
                try {
                    log.force();
                } catch (IOException e) {
                    if (!closed) {
                        flushErrors.log(() -> "could not flush the stream log " + log.dir.toAbsolutePath()
                                + " to the disk: " + e + "; publishes acknowledged in the last interval may be lost "
                                + "if the machine loses power, and new publishes to it are refused (storage_failed) "
                                + "until a flush succeeds. Check the disk");
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "flushing " + log.dir + " failed", e);
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (flusher != null) {
            synchronized (tick) {
                tick.notifyAll();
            }
            try {
                flusher.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeLogs();
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            LOG.fine(() -> "releasing the lock of " + dataDir + ": " + e);
        }
    }

    private void closeLogs() {
        for (StreamLog log : logs.values()) {
            try {
                log.close();
            } catch (IOException e) {
                LOG.warning(() -> "closing the stream log " + log.dir + ": " + e + "; its last second may be lost");
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
