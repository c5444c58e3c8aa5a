package io.channelpush.channel.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * One segment file of a {@link StreamLog}: consecutive records, the first of offset {@link #firstOffset}, named after
 * it. A record is {@code [u32 n][u64 offset][u64 epoch millis][data][u32 CRC32C of offset..data]}, n counting what
 * follows it. The index (offset to file position) lives in memory only and is rebuilt by {@link #open} from the file.
 * Appends and the index are confined to the event-loop thread; {@link #force} may be called from any thread.
 */
final class Segment implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Segment.class.getName());
    static final int HEADER_BYTES = 4 + 8 + 8;
    static final int RECORD_OVERHEAD = HEADER_BYTES + 4;
    static final String SUFFIX = ".log";

    final Path file;
    final long firstOffset;
    private final FileChannel channel;
    private int[] positions = new int[256];
    private int count;
    /** Bytes of the segment: those written to the file, then {@link #pending} ones. */
    private long size;
    private long written;
    /** Records appended but not yet written: one write per batch instead of one per record. */
    private byte[] pending = new byte[64 * 1024];
    private int pendingLength;
    private long lastMillis;

    private Segment(Path file, long firstOffset, FileChannel channel) {
        this.file = file;
        this.firstOffset = firstOffset;
        this.channel = channel;
    }

    static Path fileFor(Path dir, long firstOffset) {
        return dir.resolve(String.format("%020d", firstOffset) + SUFFIX);
    }

    /** Creates an empty segment whose first record will have {@code firstOffset}. */
    static Segment create(Path dir, long firstOffset) throws IOException {
        Path f = fileFor(dir, firstOffset);
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new Segment(f, firstOffset, ch);
    }

    /**
     * Opens a segment and indexes its records. A torn or corrupt record (what a {@code kill -9} or a power loss leaves
     * at the end of the last segment) and everything after it is cut off, with a log line.
     *
     * @param maxRecordBytes a length above this is taken for garbage
     */
    static Segment open(Path file, long firstOffset, int maxRecordBytes) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment s = new Segment(file, firstOffset, ch);
        try {
            s.recover(maxRecordBytes);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return s;
    }

    private void recover(int maxRecordBytes) throws IOException {
        long length = channel.size();
        ByteBuffer head = ByteBuffer.allocate(4);
        long pos = 0;
        while (pos < length) {
            head.clear();
            if (readFully(head, pos) < 4) {
                break;
            }
            int n = head.getInt(0);
            if (n < RECORD_OVERHEAD - 4 || n > maxRecordBytes || pos + 4 + n > length) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(n);
            readFully(body, pos + 4);
            long offset = body.getLong(0);
            CRC32C crc = new CRC32C();
            crc.update(body.array(), 0, n - 4);
            if (offset != firstOffset + count || (int) crc.getValue() != body.getInt(n - 4)) {
                break;
            }
            index((int) pos, body.getLong(8));
            pos += 4 + n;
        }
        size = pos;
        written = pos;
        if (pos < length) {
            long cut = length - pos;
            LOG.warning(() -> "stream log " + file + ": cut off " + cut + " bytes of a torn or corrupt record at "
                    + "position " + size + " (what a crash leaves); the " + count + " records before it are kept");
            channel.truncate(pos);
            channel.force(true);
        }
    }

    private int readFully(ByteBuffer b, long pos) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private void index(int position, long millis) {
        if (count == positions.length) {
            positions = Arrays.copyOf(positions, count * 2);
        }
        positions[count++] = position;
        lastMillis = millis;
    }

    /**
     * Appends the record of {@code offset}, which must be {@link #nextOffset()}, to the records waiting for
     * {@link #writePending}; it can be read back at once.
     */
    void append(long offset, long millis, byte[] data) {
        int n = HEADER_BYTES - 4 + data.length + 4;
        if (pendingLength + 4 + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + 4 + n));
        }
        ByteBuffer b = ByteBuffer.wrap(pending, pendingLength, 4 + n);
        b.putInt(n).putLong(offset).putLong(millis).put(data);
        CRC32C crc = new CRC32C();
        crc.update(pending, pendingLength + 4, n - 4);
        b.putInt((int) crc.getValue());
        long at = size;
        pendingLength += 4 + n;
        size = at + 4 + n;
        index((int) at, millis);
    }

    /**
     * Writes the appended records to the file (the operating system's cache) with one call. On failure they stay
     * pending, to be written by the next call; what a failed write left in the file is overwritten then.
     */
    void writePending() throws IOException {
        if (pendingLength == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(pending, 0, pendingLength);
        while (b.hasRemaining()) {
            channel.write(b, written + b.position());
        }
        written += pendingLength;
        pendingLength = 0;
        if (pending.length > 1 << 20) {
            pending = new byte[64 * 1024]; // give back what a burst grew
        }
    }

    boolean hasPending() {
        return pendingLength > 0;
    }

    /** Removes the last record (a publish to several streams that failed on a later one is taken by none). */
    void dropLast() throws IOException {
        if (count == 0) {
            return;
        }
        long at = positions[--count];
        if (at >= written) {
            pendingLength -= (int) (size - at);
        } else {
            writePending();
            channel.truncate(at);
            written = at;
        }
        size = at;
    }

    /** The data of the record of {@code offset}, read back from the file. */
    byte[] read(long offset) throws IOException {
        int i = (int) (offset - firstOffset);
        long pos = positions[i];
        long end = i + 1 < count ? positions[i + 1] : size;
        if (end > written) {
            writePending();
        }
        ByteBuffer b = ByteBuffer.allocate((int) (end - pos - RECORD_OVERHEAD));
        readFully(b, pos + HEADER_BYTES);
        return b.array();
    }

    /** Bytes on disk of the record of {@code offset}. */
    int recordBytes(long offset) {
        int i = (int) (offset - firstOffset);
        long end = i + 1 < count ? positions[i + 1] : size;
        return (int) (end - positions[i]);
    }

    long nextOffset() {
        return firstOffset + count;
    }

    int count() {
        return count;
    }

    long size() {
        return size;
    }

    long lastMillis() {
        return lastMillis;
    }

    /** Flushes the file to the disk; safe from any thread, also concurrently with appends. */
    void force() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        try {
            writePending();
        } finally {
            channel.close();
        }
    }
}
