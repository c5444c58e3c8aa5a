package io.channelpush.push;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link PushSession}'s outbound queue, kept in fields of the session: what producers queued since the drain last
 * took it is a stack (newest first, pushed with a compare-and-set), which the drain takes whole and reverses, so it
 * sends in the order the items were queued. An idle connection holds no queue object at all, where a
 * {@code ConcurrentLinkedQueue} kept itself and one or two empty nodes (about 64 bytes). Closing the queue
 * ({@link #closeQueue}) is the session's closed flag; a drop ({@link #discard}) closes it too, empties the stack and
 * makes the drain skip the messages and pings it still holds, so that what follows is only a close. Thread-safe:
 * producers and closes on any thread; {@link #takeAll} and {@link #keepUnsent} on the drain's, one drain at a time.
 */
abstract sealed class SessionQueue extends SessionParts permits PushSession {
    private static final VarHandle INBOX = fieldHandle(MethodHandles.lookup(), "inbox", Node.class);
    private static final VarHandle STATE = fieldHandle(MethodHandles.lookup(), "state", byte.class);

    private static final byte OPEN = 0;
    /** Nothing more is queued but a close; what is queued still goes out. */
    private static final byte CLOSED = 1;
    /** Closed, and what was queued is dropped: messages and pings still held are skipped. */
    private static final byte DISCARDING = 2;

    /** One queued item: a message, a ping or a close. */
    static final class Node {
        final Object item;
        /** Toward older items while in the stack; toward newer ones once the drain has reversed its batch. */
        Node next;

        Node(Object item) {
            this.item = item;
        }
    }

    /** Queued and not yet taken by the drain, newest first; null when nothing is. */
    private volatile Node inbox;
    /** What a failed drain took and did not write, oldest first: the next drain (any thread) starts there. */
    private volatile Node unsent;
    /** {@link #OPEN}, {@link #CLOSED} or {@link #DISCARDING}, in that order only. */
    private volatile byte state;

    SessionQueue(SessionLimits limits) {
        super(limits);
    }

    /** Queues {@code item} after everything queued before it; any thread, never blocks. */
    final void enqueue(Object item) {
        Node n = new Node(item);
        do {
            n.next = inbox;
        } while (!INBOX.compareAndSet(this, n.next, n));
    }

    /** Takes what is queued, oldest first (a failed drain's rest before it); null when nothing is. Drain only. */
    final Node takeAll() {
        Node n = unsent;
        if (n != null) {
            unsent = null;
            return n;
        }
        n = (Node) INBOX.getAndSet(this, (Node) null);
        Node older = null;
        while (n != null) {
            Node next = n.next;
            n.next = older;
            older = n;
            n = next;
        }
        return older;
    }

    /** A drain failed before it wrote {@code rest} (oldest first): the next drain starts with it. Drain only. */
    final void keepUnsent(Node rest) {
        unsent = rest;
    }

    /** Closes the queue to all but a close (which the caller then queues). @return false when it was closed already */
    final boolean closeQueue() {
        return STATE.compareAndSet(this, OPEN, CLOSED);
    }

    /** Whether the queue is closed: nothing more is queued but a close. */
    final boolean isClosed() {
        return state != OPEN;
    }

    /** Closes the queue, if it is not yet, and drops what is queued: from now on only closes are taken from it. */
    final void discard() {
        state = DISCARDING;
        inbox = null;
    }

    /** Whether {@link #discard} ran: the drain skips messages and pings. */
    final boolean discarding() {
        return state == DISCARDING;
    }

    /** Whether anything is queued that no drain has taken yet. */
    final boolean hasQueued() {
        return inbox != null || unsent != null;
    }
}
