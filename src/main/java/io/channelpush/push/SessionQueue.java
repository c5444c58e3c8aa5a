package io.channelpush.push;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link PushSession}'s outbound queue, kept in fields of the session: what producers queued since the drain last
 * took it is a stack (newest first, pushed with a compare-and-set), which the drain takes whole and reverses, so it
 * sends in the order the items were queued. An idle connection holds no queue object at all, where a
 * {@code ConcurrentLinkedQueue} kept itself and one or two empty nodes (about 64 bytes). An item queued to an empty
 * stack is held as it is, without a node: at paced rates every delivery finds its session's queue empty (the drain
 * took the last one), so a delivery allocates nothing, where its 24-byte node was two thirds of what a paced
 * broadcast allocated and so of the young collections. Closing the queue ({@link #closeQueue}) is the session's
 * closed flag; a drop ({@link #discard}) closes it too, empties the stack and makes the drain skip the messages and
 * pings it still holds, so that what follows is only a close. Thread-safe: producers and closes on any thread;
 * {@link #takeAll} and {@link #keepUnsent} on the drain's, one drain at a time.
 */
abstract sealed class SessionQueue extends SessionParts permits PushSession {
    private static final VarHandle INBOX = fieldHandle(MethodHandles.lookup(), "inbox", Object.class);
    private static final VarHandle STATE = fieldHandle(MethodHandles.lookup(), "state", byte.class);

    private static final byte OPEN = 0;
    /** Nothing more is queued but a close; what is queued still goes out. */
    private static final byte CLOSED = 1;
    /** Closed, and what was queued is dropped: messages and pings still held are skipped. */
    private static final byte DISCARDING = 2;

    /** One queued item: a message, a ping or a close (never a node). */
    static final class Node {
        final Object item;
        /**
         * Toward older items while in the stack, where the oldest link may be an item held without a node; toward
         * newer ones, always a node or null, once the drain has reversed its batch.
         */
        Object next;

        Node(Object item) {
            this.item = item;
        }

        /** The next node of a reversed batch (oldest first), or null. */
        Node after() {
            return (Node) next;
        }
    }

    /**
     * Queued and not yet taken by the drain: null when nothing is, the one item itself when one is, else a
     * {@link Node} chain newest first whose oldest link may be an item without a node.
     */
    private volatile Object inbox;
    /** What a failed drain took and did not write, oldest first: the next drain (any thread) starts there. */
    private volatile Node unsent;
    /** {@link #OPEN}, {@link #CLOSED} or {@link #DISCARDING}, in that order only. */
    private volatile byte state;

    SessionQueue(SessionLimits limits) {
        super(limits);
    }

    /** Queues {@code item} after everything queued before it; any thread, never blocks. */
    final void enqueue(Object item) {
        Node n = null;
        while (true) {
            Object head = inbox;
            if (head == null) {
                // the usual case at paced rates: the drain took the last item; no node
                if (INBOX.compareAndSet(this, null, item)) {
                    return;
                }
                continue;
            }
            if (n == null) {
                n = new Node(item);
            }
            n.next = head;
            if (INBOX.compareAndSet(this, head, n)) {
                return;
            }
        }
    }

    /**
     * Takes what is queued, oldest first (a failed drain's rest before it): the one item itself when only one was
     * queued, else a {@link Node} chain oldest first ({@link Node#after}); null when nothing is. Drain only.
     */
    final Object takeAll() {
        Node rest = unsent;
        if (rest != null) {
            unsent = null;
            return rest;
        }
        Object taken = INBOX.getAndSet(this, null);
        if (!(taken instanceof Node n)) {
            return taken;
        }
        Node older = null;
        while (true) {
            Object next = n.next;
            n.next = older;
            older = n;
            if (next instanceof Node nextNode) {
                n = nextNode;
            } else {
                if (next != null) {
                    // the oldest item, queued to an empty stack without a node: it goes first
                    Node first = new Node(next);
                    first.next = older;
                    older = first;
                }
                return older;
            }
        }
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
