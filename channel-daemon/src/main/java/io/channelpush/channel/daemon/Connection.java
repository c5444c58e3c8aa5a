package io.channelpush.channel.daemon;

import io.channelpush.channel.protocol.FrameDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One client socket of the daemon: its frame decoder, its bounded outbound queue and its subscription and
 * watch state. Every byte it queues or receives is counted in the daemon's {@link MemoryBudget}; {@link #release()}
 * gives them back when it is closed. Confined to the daemon's event-loop thread; not thread-safe.
 */
final class Connection {

    final SocketChannel channel;
    final SelectionKey key;
    final FrameDecoder decoder;
    final String remote;
    final long id;

    final Set<String> channels = new HashSet<>();
    /** Channels this connection holds the claim of (a subset of {@link #channels}). */
    final Set<String> claims = new HashSet<>();
    final List<String> queues = new ArrayList<>();
    /** The watcher sent {@code reserve} and holds no item. */
    boolean ready;
    /** The item this watcher holds until its next {@code reserve}, or null; its bytes stay in the budget. */
    HeldItem held;
    int nextQueueIndex;

    boolean helloDone;
    /** The protocol version agreed in {@code hello}. */
    int protocol;
    /** Resumes of stream channels still being replayed, in the order asked; such a channel is not yet live. */
    final ArrayDeque<Replay> replays = new ArrayDeque<>();
    String clientName = "?";
    long lastInboundNanos;
    final long acceptedNanos;
    /** 0 while open; once closing, the time after which the socket is closed even if not flushed. */
    long closeDeadlineNanos;
    boolean inDirtyList;

    /** Frames not yet fully written; the first one from {@link #headWritten} on. Arrays are shared, never modified. */
    private final ArrayDeque<byte[]> out = new ArrayDeque<>();
    private int headWritten;
    private final long outboundLimit;
    private final MemoryBudget budget;
    private long outBytes;

    /** A queue item held by a watcher: its {@code job} frame, ready to send again. */
    record HeldItem(String queue, byte[] job) {
    }

    /** Largest frame accepted before {@code hello}: enough for any hello, far below the normal maximum. */
    static final int HELLO_MAX_FRAME_BYTES = 16 * 1024;

    Connection(long id, SocketChannel channel, SelectionKey key, int maxFrameBytes, long outboundLimit,
               MemoryBudget budget, long now) {
        this.id = id;
        this.channel = channel;
        this.key = key;
        this.budget = budget;
        this.decoder = new FrameDecoder(Math.min(maxFrameBytes, HELLO_MAX_FRAME_BYTES), budget::tryReserveInbound);
        this.outboundLimit = outboundLimit;
        this.lastInboundNanos = now;
        this.acceptedNanos = now;
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
        out.addLast(frame);
        count(frame.length);
        return true;
    }

    private void count(long delta) {
        outBytes += delta;
        budget.force(delta);
    }

    /** Gives the budget back every byte this connection still holds; called once, when it is closed. */
    void release() {
        count(-outBytes);
        out.clear();
        budget.releaseInbound(decoder.partialBodyBytes());
    }

    /** Hello done: frames up to the daemon's maximum are accepted from now on. */
    void helloAccepted(int maxFrameBytes) {
        helloDone = true;
        decoder.maxFrameBytes(maxFrameBytes);
    }

    /** Drops every queued frame not yet started, so that a final error frame goes out next. */
    void dropUnsent() {
        byte[] head = out.peekFirst();
        out.clear();
        count(-outBytes);
        if (head != null && headWritten > 0) {
            out.addLast(head);
            count(head.length - headWritten);
        } else {
            headWritten = 0;
        }
    }

    /** Queues a final frame past the limit (it is small) and starts closing. */
    void closeAfter(byte[] lastFrame, long deadlineNanos) {
        out.addLast(lastFrame);
        count(lastFrame.length);
        closeDeadlineNanos = deadlineNanos;
    }

    boolean hasPending() {
        return !out.isEmpty();
    }

    long pendingBytes() {
        return outBytes;
    }

    /**
     * Writes as much as the socket takes without blocking, many frames per system call: queued frames are copied
     * into {@code scratch} (a direct buffer, so the JDK does not copy them again into temporary direct buffers of
     * its own, one per frame) and written with one {@code write}.
     *
     * @param scratch the event loop's direct buffer, reused for every connection; its content is not kept
     * @return true when everything queued was written
     */
    boolean flush(ByteBuffer scratch) throws IOException {
        while (!out.isEmpty()) {
            scratch.clear();
            int skip = headWritten;
            for (byte[] f : out) {
                int n = Math.min(f.length - skip, scratch.remaining());
                scratch.put(f, skip, n);
                skip = 0;
                if (!scratch.hasRemaining()) {
                    break;
                }
            }
            scratch.flip();
            int wanted = scratch.remaining();
            int written = channel.write(scratch);
            count(-written);
            headWritten += written;
            while (!out.isEmpty() && headWritten >= out.peekFirst().length) {
                headWritten -= out.pollFirst().length;
            }
            if (written < wanted) {
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
