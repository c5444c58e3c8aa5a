package io.channelpush.push;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.WriteReadyHandler;

/**
 * The socket end of a conduit chain, without a socket: it takes as many bytes as the test allows ({@link #allow}),
 * as a socket with that much room in its send buffer would, records them in order, and counts write calls and
 * resumes. Not thread-safe (a conduit is confined to its I/O thread).
 */
final class ThrottledConduit implements StreamSinkConduit {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private long room = Long.MAX_VALUE;
    private int writes;
    private boolean resumed;

    /** From now on the socket takes {@code bytes} more, then nothing. */
    void allow(long bytes) {
        room = bytes;
    }

    byte[] written() {
        return written.toByteArray();
    }

    int writes() {
        return writes;
    }

    boolean resumed() {
        return resumed;
    }

    @Override
    public int write(ByteBuffer src) {
        writes++;
        int n = (int) Math.min(src.remaining(), room);
        for (int i = 0; i < n; i++) {
            written.write(src.get());
        }
        room -= n;
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) {
        writes++;
        long total = 0;
        for (int i = offs; i < offs + len; i++) {
            while (srcs[i].hasRemaining() && room > 0) {
                written.write(srcs[i].get());
                room--;
                total++;
            }
        }
        return total;
    }

    @Override
    public int writeFinal(ByteBuffer src) {
        return write(src);
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) {
        return write(srcs, offs, len);
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean flush() {
        return true;
    }

    @Override
    public void resumeWrites() {
        resumed = true;
    }

    @Override
    public void suspendWrites() {
        resumed = false;
    }

    @Override
    public void wakeupWrites() {
        resumed = true;
    }

    @Override
    public boolean isWriteResumed() {
        return resumed;
    }

    @Override
    public void terminateWrites() {
    }

    @Override
    public boolean isWriteShutdown() {
        return false;
    }

    @Override
    public void truncateWrites() {
    }

    @Override
    public void awaitWritable() throws IOException {
        throw new IOException("a conduit on an I/O thread never blocks");
    }

    @Override
    public void awaitWritable(long time, TimeUnit timeUnit) throws IOException {
        throw new IOException("a conduit on an I/O thread never blocks");
    }

    @Override
    public XnioIoThread getWriteThread() {
        return null;
    }

    @Override
    public void setWriteReadyHandler(WriteReadyHandler handler) {
    }

    @Override
    public org.xnio.XnioWorker getWorker() {
        return null;
    }
}
