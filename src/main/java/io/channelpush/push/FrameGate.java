package io.channelpush.push;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;

/**
 * The top of a WebSocket connection's outbound conduits in Undertow, below its WebSocket channel: the one place every
 * byte to the socket passes, whether a frame of ours ({@link #queue}, frames encoded once per message and copied into
 * the I/O thread's {@link IoScratch} for each write) or one Undertow writes on its own (pongs, the close frame), so the
 * two never interleave inside a frame. Ours wait while Undertow is in the middle of a frame (its last write left bytes
 * behind); Undertow's wait, by being refused (a write of 0 bytes), while any of ours is still unwritten; a full socket
 * leaves the rest of ours here and resumes writes, and Undertow's write listener, which flushes this conduit, writes
 * them when the socket can take more. Undertow writes only control frames here (pongs, its close frame), which may come
 * between the frames of a message; every data frame is ours, and each is whole. A frame of ours that may have come to
 * wait behind Undertow's close frame is not written (nothing may follow a close frame), and the listener is told. What
 * waits here is bounded by the session's send queue, which counts each message until the listener hears it written.
 *
 * <p>Undertow writes a connection's frames only on its I/O thread, and drains of ours run there too: not
 * thread-safe, confined to that thread (the conduit calls that may come from elsewhere, closing and the
 * resume/suspend calls, only pass through).
 */
final class FrameGate extends AbstractStreamSinkConduit<StreamSinkConduit> {
    private final FrameSender.Listener listener;
    /** Whether Undertow has queued its close frame: after that, nothing of ours may be written. */
    private final BooleanSupplier closeFrameQueued;
    /** Where a write's frames are copied to, on this connection's I/O thread. */
    private final IoScratch scratch;
    /**
     * The first frame of ours not fully written and its message (null for a ping), or null. Frames are shared with
     * other connections: read with absolute gets only, never moved; how much of this one is written is
     * {@link #firstWritten}.
     */
    private ByteBuffer first;
    private OutboundMessage firstMessage;
    private int firstWritten;
    /** Further frames of ours, each followed by its message (or {@link #NO_MESSAGE}); null while there are none. */
    private ArrayDeque<Object> more;
    /** Ours are being batched ({@link #begin}): written at {@link #end}. */
    private boolean batching;
    /** Undertow's last write stopped inside a frame: nothing of ours may go before the rest of it. */
    private boolean theirsUnfinished;
    /**
     * Ours were queued while Undertow's frame was unfinished, so they follow it and whatever Undertow writes with
     * its rest; until they start going out. Ours queued otherwise precede everything Undertow queues after them.
     */
    private boolean behindTheirs;

    private static final Object NO_MESSAGE = new Object();
    /**
     * Frames per write: a client that stopped reading may have thousands waiting here, and each time its socket
     * takes more only the first few fit. The next write follows at once only while the socket takes all it is
     * offered.
     */
    private static final int MAX_GATHER = 64;

    /**
     * @param next the conduit below (Undertow's idle-timeout conduit)
     * @param closeFrameQueued whether Undertow has queued its close frame
     * @param scratch the buffer of this connection's I/O thread
     */
    FrameGate(StreamSinkConduit next, FrameSender.Listener listener, BooleanSupplier closeFrameQueued,
              IoScratch scratch) {
        super(next);
        this.listener = listener;
        this.closeFrameQueued = closeFrameQueued;
        this.scratch = scratch;
    }

    /** Frames queued from now until {@link #end} go out together, in one write where the socket takes them. */
    void begin() {
        batching = true;
    }

    /**
     * Queues one complete frame of ours, from its position to its limit, which this gate reads but never moves (the
     * same buffer may be queued to other connections, on other threads); the listener is told when {@code m} has
     * been written (none for a ping). Outside a batch it is written at once.
     */
    void queue(ByteBuffer frame, OutboundMessage m) throws IOException {
        if (closeFrameQueued.getAsBoolean()) {
            throw new ClosedChannelException();
        }
        if (first == null) {
            first = frame;
            firstMessage = m;
            firstWritten = 0;
            behindTheirs = theirsUnfinished;
        } else {
            if (more == null) {
                more = new ArrayDeque<>();
            }
            more.add(frame);
            more.add(m == null ? NO_MESSAGE : m);
        }
        if (!batching) {
            end();
        }
    }

    /** Writes what is queued; what the socket cannot take yet is written when it can. */
    void end() throws IOException {
        batching = false;
        if (first != null && !writeOurs()) {
            resumeWrites();
        }
    }

    /** Whether frames of ours are still waiting to be written. */
    boolean hasQueued() {
        return first != null;
    }

    /**
     * Writes as many of our frames as the socket takes, in order, and tells the listener of each one written.
     * @return whether none is left
     */
    private boolean writeOurs() throws IOException {
        while (first != null) {
            if (theirsUnfinished) {
                return false;
            }
            behindTheirs = false;
            ByteBuffer out = nextWrite();
            int offered = out.remaining();
            int n = next.write(out);
            if (!completeWritten(n) && n < offered) {
                return false;
            }
        }
        return true;
    }

    /**
     * The bytes of the next write: the rest of the first frame and as many whole frames after it as fit, copied
     * into the I/O thread's buffer; or, for a frame larger than that buffer (or off that thread), a view of the
     * first frame's rest alone.
     */
    private ByteBuffer nextWrite() {
        int from = first.position() + firstWritten;
        int length = first.limit() - from;
        ByteBuffer out = scratch.here();
        if (out == null || length > out.capacity()) {
            return first.duplicate().position(from);
        }
        out.put(0, first, from, length);
        int at = length;
        if (more != null) {
            int frames = 1;
            for (Object o : more) {
                if (o instanceof ByteBuffer f) {
                    if (frames == MAX_GATHER || at + f.remaining() > out.capacity()) {
                        break;
                    }
                    out.put(at, f, f.position(), f.remaining());
                    at += f.remaining();
                    frames++;
                }
            }
        }
        return out.limit(at);
    }

    /**
     * Takes the frames that {@code written} bytes, from the first unwritten one, completed off the queue.
     * @return whether none is left
     */
    private boolean completeWritten(int written) {
        int n = written;
        while (first != null) {
            int left = first.remaining() - firstWritten;
            if (n < left) {
                firstWritten += n;
                return false;
            }
            n -= left;
            OutboundMessage m = firstMessage;
            firstWritten = 0;
            if (more == null) {
                first = null;
                firstMessage = null;
            } else {
                first = (ByteBuffer) more.poll();
                Object itsMessage = more.poll();
                firstMessage = itsMessage == NO_MESSAGE ? null : (OutboundMessage) itsMessage;
                if (more.isEmpty()) {
                    more = null;
                }
            }
            if (m != null) {
                listener.sent(m);
            }
        }
        return true;
    }

    /** Undertow's frames: refused (0 written) while ours wait, so that they keep their place in the order. */
    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        if (!theirsUnfinished && !writeOursOrDrop()) {
            return 0;
        }
        long n = next.write(srcs, offs, len);
        theirsUnfinished = remaining(srcs, offs, len);
        afterTheirs();
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!theirsUnfinished && !writeOursOrDrop()) {
            return 0;
        }
        int n = next.write(src);
        theirsUnfinished = src.hasRemaining();
        afterTheirs();
        return n;
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        return Conduits.writeFinalBasic(this, srcs, offs, len);
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        return Conduits.writeFinalBasic(this, src);
    }

    /** Flushes ours first: Undertow's write listener calls this when the socket can take more. */
    @Override
    public boolean flush() throws IOException {
        if (!theirsUnfinished && !writeOursOrDrop()) {
            return false;
        }
        return first == null && next.flush();
    }

    /** What waited behind Undertow's frame goes out now that it is complete (unless that frame was its close). */
    private void afterTheirs() throws IOException {
        if (!theirsUnfinished && first != null) {
            writeOursOrDrop();
        }
    }

    /**
     * Writes ours, or fails them when they waited behind Undertow's frames and Undertow has queued its close frame
     * meanwhile: its last write may have held that close, and nothing may follow one. Runs only while none of
     * Undertow's frames is unfinished.
     */
    private boolean writeOursOrDrop() throws IOException {
        if (first == null) {
            return true;
        }
        if (behindTheirs && closeFrameQueued.getAsBoolean()) {
            first = null;
            firstMessage = null;
            firstWritten = 0;
            more = null;
            listener.failed(new ClosedChannelException());
            return true;
        }
        return writeOurs();
    }

    private static boolean remaining(ByteBuffer[] srcs, int offs, int len) {
        for (int i = offs; i < offs + len; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
