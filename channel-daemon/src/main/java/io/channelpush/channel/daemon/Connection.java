package io.channelpush.channel.daemon;

import io.channelpush.channel.protocol.FrameDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One client socket of the daemon: its frame decoder, its bounded outbound queue and its subscription and
 * watch state. Confined to the daemon's event-loop thread; not thread-safe.
 */
final class Connection {
    private static final int MAX_BUFFERS_PER_WRITE = 256;

    final SocketChannel channel;
    final SelectionKey key;
    final FrameDecoder decoder;
    final String remote;
    final long id;

    final Set<String> channels = new HashSet<>();
    final List<String> queues = new ArrayList<>();
    /** The watcher sent {@code reserve} and holds no item. */
    boolean ready;
    /** The item this watcher holds until its next {@code reserve}, or null. */
    HeldItem held;
    int nextQueueIndex;

    boolean helloDone;
    String clientName = "?";
    long lastInboundNanos;
    /** 0 while open; once closing, the time after which the socket is closed even if not flushed. */
    long closeDeadlineNanos;
    boolean inDirtyList;

    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private final ByteBuffer[] batch = new ByteBuffer[MAX_BUFFERS_PER_WRITE];
    private final long outboundLimit;
    private long outBytes;

    record HeldItem(String queue, String data) {
    }

    Connection(long id, SocketChannel channel, SelectionKey key, int maxFrameBytes, long outboundLimit, long now) {
        this.id = id;
        this.channel = channel;
        this.key = key;
        this.decoder = new FrameDecoder(maxFrameBytes);
        this.outboundLimit = outboundLimit;
        this.lastInboundNanos = now;
        String r;
        try {
            r = String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            r = "?";
        }
        this.remote = r;
    }

    boolean closing() {
        return closeDeadlineNanos != 0;
    }

    /**
     * Queues a frame. The array is shared between connections and never modified.
     *
     * @return false when the frame would push the queue past the outbound limit (nothing queued)
     */
    boolean queue(byte[] frame) {
        if (outBytes + frame.length > outboundLimit) {
            return false;
        }
        out.addLast(ByteBuffer.wrap(frame));
        outBytes += frame.length;
        return true;
    }

    /** Drops every queued frame not yet started, so that a final error frame goes out next. */
    void dropUnsent() {
        ByteBuffer head = out.peekFirst();
        out.clear();
        outBytes = 0;
        if (head != null && head.position() > 0) {
            out.addLast(head);
            outBytes = head.remaining();
        }
    }

    /** Queues a final frame past the limit (it is small) and starts closing. */
    void closeAfter(byte[] lastFrame, long deadlineNanos) {
        out.addLast(ByteBuffer.wrap(lastFrame));
        outBytes += lastFrame.length;
        closeDeadlineNanos = deadlineNanos;
    }

    boolean hasPending() {
        return !out.isEmpty();
    }

    long pendingBytes() {
        return outBytes;
    }

    /**
     * Writes as much as the socket takes without blocking, many frames per system call.
     *
     * @return true when everything queued was written
     */
    boolean flush() throws IOException {
        while (!out.isEmpty()) {
            int n = 0;
            for (ByteBuffer b : out) {
                batch[n++] = b;
                if (n == MAX_BUFFERS_PER_WRITE) {
                    break;
                }
            }
            outBytes -= channel.write(batch, 0, n);
            boolean socketFull = batch[n - 1].hasRemaining();
            Arrays.fill(batch, 0, n, null);
            while (!out.isEmpty() && !out.peekFirst().hasRemaining()) {
                out.pollFirst();
            }
            if (socketFull) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "connection " + id + " (" + clientName + " from " + remote + ")";
    }
}
