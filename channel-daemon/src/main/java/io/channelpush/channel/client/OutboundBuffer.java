package io.channelpush.channel.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames waiting for the daemon, in order. Data frames (publish, enqueue, history) count against a byte limit and
 * are kept across reconnects until written; control frames (subscribe, watch, reserve...) bypass the limit and are
 * dropped at a reconnect, because the client re-sends its whole state then. Many producers, one consumer (the
 * writer of the current connection), which removes frames only after writing them.
 *
 * <p>A frame offered with {@link #offerOnce} is written at most once, ever: the writer {@link Entry#claim claims}
 * it before writing it, and whoever gives up waiting for it {@link #withdraw withdraws} it instead; a compare-and-set
 * on the entry's state decides which of the two happens, so a withdrawn frame is certainly never written.
 */
final class OutboundBuffer {
    /** One frame in the buffer. */
    static final class Entry {
        private static final int QUEUED = 0;
        private static final int CLAIMED = 1;
        private static final int WITHDRAWN = 2;
        private static final int REUSABLE = 3;

        private final AtomicInteger state;
        private final boolean data;
        private final int length;
        private byte[] frame;

        private Entry(byte[] frame, boolean data, boolean once) {
            this.frame = frame;
            this.data = data;
            this.length = frame.length;
            this.state = new AtomicInteger(once ? QUEUED : REUSABLE);
        }

        /** The writer's side: true when this frame may be written now (once-frames: only the first time). */
        boolean claim() {
            int s = state.get();
            return s == REUSABLE || s == QUEUED && state.compareAndSet(QUEUED, CLAIMED);
        }

        /** True once the writer has claimed this frame: it may have reached the daemon. */
        boolean claimed() {
            return state.get() == CLAIMED;
        }

        byte[] frame() {
            return frame;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final long limitBytes;
    private long dataBytes;
    private int withdrawn;
    private boolean closed;

    OutboundBuffer(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** Appends a data frame; false when it does not fit or the buffer is closed. */
    boolean offerData(byte[] frame) {
        return offer(new Entry(frame, true, false)) != null;
    }

    /** Appends a data frame to be written at most once; null when it does not fit or the buffer is closed. */
    Entry offerOnce(byte[] frame) {
        return offer(new Entry(frame, true, true));
    }

    private Entry offer(Entry e) {
        lock.lock();
        try {
            if (closed || dataBytes + e.length > limitBytes) {
                return null;
            }
            entries.addLast(e);
            dataBytes += e.length;
            notEmpty.signal();
            return e;
        } finally {
            lock.unlock();
        }
    }

    void offerControl(byte[] frame) {
        lock.lock();
        try {
            if (!closed) {
                entries.addLast(new Entry(frame, false, false));
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Withdraws a frame of {@link #offerOnce} unless the writer has claimed it.
     *
     * @return true when it is withdrawn: it will never be written
     */
    boolean withdraw(Entry e) {
        if (!e.state.compareAndSet(Entry.QUEUED, Entry.WITHDRAWN)) {
            return false;
        }
        lock.lock();
        try {
            // the entry stays in the deque (the writer may hold it in a batch) but no longer holds its bytes
            e.frame = null;
            dataBytes -= e.length;
            withdrawn++;
            if (withdrawn > 1024 && withdrawn > entries.size() / 2) {
                entries.removeIf(x -> x.state.get() == Entry.WITHDRAWN);
                withdrawn = 0;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until frames are queued or the timeout passes and returns up to {@code maxFrames} of them from the
     * head, without removing them. The writer writes those it can {@link Entry#claim}.
     */
    List<Entry> peek(int maxFrames, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (entries.isEmpty() && !closed && left > 0) {
                left = notEmpty.awaitNanos(left);
            }
            List<Entry> out = new ArrayList<>(Math.min(maxFrames, entries.size()));
            Iterator<Entry> it = entries.iterator();
            while (it.hasNext() && out.size() < maxFrames) {
                out.add(it.next());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the frames of a batch from {@link #peek}, once written (or skipped). */
    void commit(List<Entry> batch) {
        lock.lock();
        try {
            for (Entry e : batch) {
                // only withdrawn entries can have left the deque meanwhile; the others are at its head, in order
                if (entries.peekFirst() != e) {
                    continue;
                }
                entries.pollFirst();
                int state = e.state.get();
                if (state == Entry.WITHDRAWN) {
                    withdrawn--;
                } else if (e.data) {
                    dataBytes -= e.length;
                }
                if (state == Entry.CLAIMED) {
                    e.frame = null; // written: whoever awaits its answer keeps the entry, not its bytes
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops control frames; called between connections, when no writer runs. */
    void dropControlFrames() {
        lock.lock();
        try {
            entries.removeIf(e -> !e.data);
        } finally {
            lock.unlock();
        }
    }

    long dataBytes() {
        lock.lock();
        try {
            return dataBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further frames, wakes the writer and returns how many data frames were never written. */
    int close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            return (int) entries.stream().filter(e -> e.data && e.state.get() != Entry.WITHDRAWN).count();
        } finally {
            lock.unlock();
        }
    }
}
