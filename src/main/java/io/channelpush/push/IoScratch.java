package io.channelpush.push;

import java.nio.ByteBuffer;

/**
 * One I/O thread's buffer for putting together the bytes of one socket write. A broadcast's frame is shared by
 * every connection it goes to, and a socket write moves its buffer's position, so each connection needs a buffer of
 * its own for the write: copying the frames into this one (a few hundred bytes, next to a system call) replaces a
 * view object per delivery, which was two thirds of what a delivery allocated and so of the young collections.
 * Confined to its thread: {@link #here} gives the buffer only to it. Thread-safe in that sense only.
 */
final class IoScratch {
    /** Bytes one write copies at most; a frame larger than this is written on its own, from a view of its own. */
    static final int CAPACITY = 32 * 1024;

    private final Thread owner;
    private final ByteBuffer buffer;

    IoScratch(Thread owner, int capacity) {
        this.owner = owner;
        this.buffer = ByteBuffer.allocateDirect(capacity);
    }

    /** The buffer, cleared, when the caller is its thread; null on any other thread. */
    ByteBuffer here() {
        return Thread.currentThread() == owner ? buffer.clear() : null;
    }
}
