package io.channelpush.channel.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One stream's log on disk: a folder of {@link Segment} files, the last one appended to. Offsets start at 1 and grow
 * by one per record. Retention deletes whole old segments, so that the stream keeps at most
 * {@link Retention#maxMessages} records and {@link Retention#maxBytes} bytes, and none whose segment ended longer than
 * {@link Retention#maxAgeMillis} ago; a segment is rolled at an eighth of either bound, so at least seven eighths are kept. Confined to the
 * event-loop thread, except {@link #force}, which any thread may call (the fsync thread does).
 */
final class StreamLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamLog.class.getName());

    /** Bounds of what a stream keeps. */
    record Retention(long maxMessages, long maxBytes, long maxAgeMillis) {
        /** An eighth of the bound, at most 4 M records (the segment's index is an int per record). */
        long segmentMessages() {
            return Math.max(1, Math.min(maxMessages / 8, 4L << 20));
        }

        /** An eighth of the bound, at most 1 GiB (positions in a segment are ints). */
        long segmentBytes() {
            return Math.max(4096, Math.min(maxBytes / 8, 1L << 30));
        }
    }

    final String name;
    final Path dir;
    private final Retention retention;
    private final int maxRecordBytes;
    private final List<Segment> segments = new ArrayList<>();
    private volatile Segment active;
    private long totalCount;
    private long totalBytes;
    private boolean failed;
    /** Rolled segments whose last records may not be on the disk yet; the loop adds, {@link #force} takes. */
    private final java.util.Queue<Segment> unforced = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean dirUnsynced;
    /** Why the last flush to the disk failed, or null: while set, appends are refused (nothing new is acknowledged). */
    private volatile IOException flushFailure;

    private StreamLog(String name, Path dir, Retention retention, int maxRecordBytes) {
        this.name = name;
        this.dir = dir;
        this.retention = retention;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Opens (or creates) the log in {@code dir}, rebuilding its index from the segment files. */
    static StreamLog open(String name, Path dir, Retention retention, int maxRecordBytes) throws IOException {
        Files.createDirectories(dir);
        StreamLog log = new StreamLog(name, dir, retention, maxRecordBytes);
        try {
            log.recover();
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    private void recover() throws IOException {
        List<Long> firsts = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Segment.SUFFIX)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                firsts.add(Long.parseLong(n.substring(0, n.length() - Segment.SUFFIX.length())));
            }
        }
        firsts.sort(null);
        for (long first : firsts) {
            Path f = Segment.fileFor(dir, first);
            if (!segments.isEmpty() && first != segments.get(segments.size() - 1).nextOffset()) {
                // a hole in the offsets (a corrupt segment was cut short): what follows cannot be trusted
                LOG.severe(() -> "stream log " + dir + ": segment " + f.getFileName() + " does not follow the one "
                        + "before it; it is deleted. If the disk is failing, replace it");
                Files.delete(f);
                continue;
            }
            Segment s = Segment.open(f, first, maxRecordBytes);
            segments.add(s);
            totalCount += s.count();
            totalBytes += s.size();
        }
        if (segments.isEmpty()) {
            segments.add(Segment.create(dir, 1));
            syncDir();
        }
        active = segments.get(segments.size() - 1);
    }

    /** Offset of the next append. */
    long nextOffset() {
        return active.nextOffset();
    }

    /** Offset of the last record, 0 when none was ever written. */
    long lastOffset() {
        return active.nextOffset() - 1;
    }

    /** Offset of the oldest record kept (one past {@link #lastOffset()} when none is kept). */
    long firstOffset() {
        return segments.get(0).firstOffset;
    }

    /**
     * Appends a record and returns its offset. {@link #writePending} puts it in the operating system's cache (where a
     * crash of the process does not lose it), {@link #force} on the disk.
     */
    long append(byte[] data, long nowMillis) throws IOException {
        IOException unflushed = flushFailure;
        if (unflushed != null) {
            // With --fsync interval an ack precedes the flush by design, for at most the interval; once a flush
            // fails that window has no end, so nothing more is taken until a flush succeeds.
            throw new IOException("its last flush to the disk failed (" + unflushed.getMessage() + ")", unflushed);
        }
        if (active.hasPending() && failed) {
            writePending(); // a write failed: nothing more is taken until the disk takes what waits
        }
        if (active.size() >= retention.segmentBytes() || active.count() >= retention.segmentMessages()) {
            roll();
        }
        long offset = active.nextOffset();
        long before = active.size();
        active.append(offset, nowMillis, data);
        totalCount++;
        totalBytes += active.size() - before;
        enforceRetention(nowMillis);
        return offset;
    }

    /** Takes back the last {@link #append} (only right after it). */
    void dropLast() throws IOException {
        long before = active.size();
        active.dropLast();
        totalCount--;
        totalBytes -= before - active.size();
    }

    /** Writes the records appended since the last call, one write; on failure they wait and appends are refused. */
    void writePending() throws IOException {
        try {
            active.writePending();
            failed = false;
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }

    private void roll() throws IOException {
        Segment old = active;
        old.writePending();
        Segment next = Segment.create(dir, old.nextOffset());
        // flushing the old segment and the folder is the flusher's (or the next group commit's) work, not the loop's
        unforced.add(old);
        segments.add(next);
        dirUnsynced = true;
        active = next;
    }

    /** Deletes old segments past the count, bytes or age bounds (never the one appended to). */
    void enforceRetention(long nowMillis) {
        while (segments.size() > 1) {
            Segment oldest = segments.get(0);
            boolean tooMany = totalCount > retention.maxMessages() || totalBytes > retention.maxBytes();
            boolean tooOld = nowMillis - oldest.lastMillis() > retention.maxAgeMillis();
            if (!tooMany && !tooOld) {
                return;
            }
            segments.remove(0);
            totalCount -= oldest.count();
            totalBytes -= oldest.size();
            try {
                oldest.close();
                Files.deleteIfExists(oldest.file);
            } catch (IOException e) {
                LOG.warning(() -> "stream log " + dir + ": could not delete the expired segment " + oldest.file
                        + " (" + e.getMessage() + "); delete it by hand once the daemon is stopped");
            }
        }
    }

    /** The data of the record of {@code offset}, read from disk; {@code offset} within first..last. */
    byte[] read(long offset) throws IOException {
        return segmentOf(offset).read(offset);
    }

    /** Bytes on disk of the record of {@code offset}, about what its event frame costs. */
    int recordBytes(long offset) {
        return segmentOf(offset).recordBytes(offset);
    }

    private Segment segmentOf(long offset) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).firstOffset <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return segments.get(lo);
    }

    long retainedMessages() {
        return totalCount;
    }

    long retainedBytes() {
        return totalBytes;
    }

    int segmentCount() {
        return segments.size();
    }

    /**
     * Flushes to the disk the segments rolled since the last call, the folder when it got a new segment, and the
     * segment appended to; any thread. A segment deleted by retention meanwhile is skipped. When it fails, appends
     * are refused until a later call succeeds.
     */
    void force() throws IOException {
        try {
            forceAll();
            flushed(null);
        } catch (IOException e) {
            flushed(e);
            throw e;
        }
    }

    /** The outcome of a flush: a failure refuses appends until a later flush succeeds ({@code null}). */
    void flushed(IOException failure) {
        flushFailure = failure;
    }

    private void forceAll() throws IOException {
        for (Segment s; (s = unforced.peek()) != null; unforced.poll()) {
            try {
                s.force();
            } catch (java.nio.channels.ClosedChannelException e) {
                // deleted by retention meanwhile: nothing to keep
            }
        }
        if (dirUnsynced) {
            dirUnsynced = false;
            syncDir();
        }
        active.force();
    }

    private void syncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a folder; the segment files themselves are synced
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Segment s : segments) {
            try {
                s.writePending();
                s.force();
                s.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
