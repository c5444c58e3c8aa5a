package io.channelpush.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Watches the bytes of a new connection's first request head (where every WebSocket handshake and most attacks
 * are) below Undertow's parser: past {@code channelpush.max-header-bytes} or {@code channelpush.max-headers} lines
 * it answers 431 with a one-line reason itself (Undertow's own limit answers an empty 400) and stops passing bytes
 * on; what the client still sends is read and dropped until it closes or {@link #LINGER_MILLIS} pass, so that the
 * 431 is not lost to a reset. After the first head it only passes reads through; later requests on a keep-alive
 * connection meet Undertow's limits, set to the same values. Called on the connection's I/O thread only.
 */
final class HeadGuard extends AbstractStreamSourceConduit<StreamSourceConduit> {
    /** How long a refused connection is drained before it is closed. */
    static final long LINGER_MILLIS = 2_000;

    private final StreamConnection connection;
    private final StreamSinkConduit rawSink;
    private final int maxBytes;
    private final int maxHeaders;
    private int bytes;
    private int lines;
    private int lineLength;
    private boolean headDone;
    private boolean refused;

    /**
     * @param rawSink the connection's sink before Undertow wraps it: the 431 is written there, before any response
     */
    HeadGuard(StreamSourceConduit next, StreamConnection connection, StreamSinkConduit rawSink, int maxBytes,
              int maxHeaders) {
        super(next);
        this.connection = connection;
        this.rawSink = rawSink;
        this.maxBytes = maxBytes;
        this.maxHeaders = maxHeaders;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (refused) {
            return drain();
        }
        int start = dst.position();
        int n = next.read(dst);
        if (n > 0 && !headDone && !scan(dst, start, n)) {
            dst.position(start);
            return drain();
        }
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (refused) {
            return drain();
        }
        int[] starts = new int[length];
        for (int i = 0; i < length; i++) {
            starts[i] = dsts[offset + i].position();
        }
        long n = next.read(dsts, offset, length);
        if (n > 0 && !headDone) {
            for (int i = 0; i < length && !headDone; i++) {
                ByteBuffer b = dsts[offset + i];
                if (!scan(b, starts[i], b.position() - starts[i])) {
                    for (int j = 0; j < length; j++) {
                        dsts[offset + j].position(starts[j]);
                    }
                    return drain();
                }
            }
        }
        return n;
    }

    /** Counts the head's bytes and lines in {@code [from, from + n)}. @return false when a limit is passed */
    private boolean scan(ByteBuffer b, int from, int n) throws IOException {
        for (int i = from; i < from + n; i++) {
            byte c = b.get(i);
            bytes++;
            if (c == '\n') {
                if (lineLength == 0 && lines > 0) {
                    headDone = true;
                    return true;
                }
                lines++;
                lineLength = 0;
            } else if (c != '\r') {
                lineLength++;
            }
            if (bytes > maxBytes) {
                refuse("request head larger than " + maxBytes + " bytes (channelpush.max-header-bytes)");
                return false;
            }
            if (lines > maxHeaders + 1) {
                refuse("more than " + maxHeaders + " header lines (channelpush.max-headers)");
                return false;
            }
        }
        return true;
    }

    private void refuse(String reason) {
        refused = true;
        byte[] body = (reason + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer response = ByteBuffer.wrap(("HTTP/1.1 431 Request Header Fields Too Large\r\n"
                + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n" + reason + "\n").getBytes(StandardCharsets.US_ASCII));
        try {
            // nothing else has been written on this connection: a fresh socket takes these 200 bytes at once
            rawSink.write(response);
            rawSink.terminateWrites();
            rawSink.flush();
        } catch (IOException e) {
            IoUtils.safeClose(connection);
            return;
        }
        connection.getIoThread().executeAfter(() -> IoUtils.safeClose(connection), LINGER_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Reads and drops what the refused client still sends. @return -1 at its end, else 0 (nothing for Undertow) */
    private int drain() throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate(8192);
        while (true) {
            scratch.clear();
            int n = next.read(scratch);
            if (n < 0) {
                IoUtils.safeClose(connection);
                return -1;
            }
            if (n == 0) {
                return 0;
            }
        }
    }
}
