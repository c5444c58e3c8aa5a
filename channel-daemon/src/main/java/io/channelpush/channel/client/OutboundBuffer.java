package io.channelpush.channel.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames waiting for the daemon, in order. Data frames (publish, enqueue) count against a byte limit and are
 * kept across reconnects until written; control frames (subscribe, watch, reserve...) bypass the limit and are
 * dropped at a reconnect, because the client re-sends its whole state then. Many producers, one consumer (the
 * writer of the current connection), which removes frames only after writing them.
 */
final class OutboundBuffer {
    private record Entry(byte[] frame, boolean data) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final long limitBytes;
    private long dataBytes;
    private boolean closed;

    OutboundBuffer(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** Appends a data frame; false when it does not fit or the buffer is closed. */
    boolean offerData(byte[] frame) {
        lock.lock();
        try {
            if (closed || dataBytes + frame.length > limitBytes) {
                return false;
            }
            entries.addLast(new Entry(frame, true));
            dataBytes += frame.length;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void offerControl(byte[] frame) {
        lock.lock();
        try {
            if (!closed) {
                entries.addLast(new Entry(frame, false));
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until frames are queued or the timeout passes and returns up to {@code maxFrames} of them from the
     * head, without removing them.
     */
    List<byte[]> peek(int maxFrames, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (entries.isEmpty() && !closed && left > 0) {
                left = notEmpty.awaitNanos(left);
            }
            List<byte[]> out = new ArrayList<>(Math.min(maxFrames, entries.size()));
            Iterator<Entry> it = entries.iterator();
            while (it.hasNext() && out.size() < maxFrames) {
                out.add(it.next().frame());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the first {@code n} frames, once written. */
    void commit(int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                Entry e = entries.pollFirst();
                if (e.data()) {
                    dataBytes -= e.frame().length;
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
            entries.removeIf(e -> !e.data());
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
            return (int) entries.stream().filter(Entry::data).count();
        } finally {
            lock.unlock();
        }
    }
}
