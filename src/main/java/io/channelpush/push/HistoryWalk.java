package io.channelpush.push;

import io.channelpush.push.bus.StreamEvent;
import io.channelpush.push.bus.StreamHistory;
import io.channelpush.push.bus.StreamPosition;
import java.util.List;

/**
 * One stream's walk through the bus's history during a {@link Recovery}: where the next history request starts
 * (the client's position, then the last event seen), the page being replayed, what was sent last, and when the walk
 * is done: the history is exhausted or has reached the live messages held meanwhile, which then follow it. A walk
 * whose history stays behind the held messages asks again (its recovery bounds how long), then gives up and lets
 * them follow ({@link #giveUpStale}). A new walk per stream.
 *
 * <p>Not thread-safe: confined to its recovery's steps, which run one at a time (on whichever thread completes the
 * previous one, each completion ordering the next). The held messages it compares with are read under the session's
 * stream lock, through {@link FirstHeld}.
 */
final class HistoryWalk {
    /** The offset of the first live message held for a stream in an epoch, else {@code none}. */
    @FunctionalInterface
    interface FirstHeld {
        long offset(String stream, String epoch, long none);
    }

    private final Recovery.Want want;
    private final FirstHeld held;
    private boolean first = true;
    private boolean more;
    private boolean ok = true;
    private StreamPosition cursor;
    private long lastSent;
    private List<StreamEvent> page = List.of();
    private int pageIndex;
    /** The history stayed behind the held live messages for the retry time: the stream goes on without. */
    private boolean staleGaveUp;

    HistoryWalk(Recovery.Want want, FirstHeld held) {
        this.want = want;
        this.held = held;
    }

    /** False once the stream cannot be recovered whole (the client is told {@code false} for it). */
    boolean ok() {
        return ok;
    }

    /** Whether no history page was taken yet. */
    boolean beforeFirstPage() {
        return first;
    }

    /** The stream cannot be recovered whole (a bound, or a history that no longer reaches back): the walk ends. */
    void unrecoverable() {
        ok = false;
        page = List.of();
        more = false;
    }

    /** Whether events of the current page remain to be replayed. */
    boolean hasNext() {
        return pageIndex < page.size();
    }

    /** The next event of the current page (after {@link #hasNext}). */
    StreamEvent next() {
        return page.get(pageIndex++);
    }

    /** Whether the event at {@code p} was sent already (by the replay, or the client had it). */
    boolean sentAlready(StreamPosition p) {
        return p.offset() <= lastSent;
    }

    /** The event at {@code offset} was sent to the client. */
    void sent(long offset) {
        lastSent = offset;
    }

    /** Whether another history page is needed: the first, the rest of a history not caught up, or one behind. */
    boolean needsPage() {
        return first || more && !caughtUp() || ok && !staleGaveUp && behindHeld();
    }

    /** Where the next history request starts. */
    StreamPosition from() {
        return first ? want.after() : cursor;
    }

    /** The history request failed: the same request is made again (its recovery bounds how long). */
    void failed() {
        page = List.of();
        pageIndex = 0;
    }

    /**
     * Takes a history page.
     *
     * @return true when it showed nothing new and the walk stays behind the held live messages: a lagging replica
     *     answered; the caller asks again or, past its bound, {@link #giveUpStale}
     */
    boolean accept(StreamHistory h) {
        if (first) {
            first = false;
            cursor = want.after();
            if (!h.complete()) {
                unrecoverable();
                return false;
            }
            // the client has everything up to its position: a history starting earlier sends none of it again
            lastSent = want.after().offset();
        }
        page = h.events();
        pageIndex = 0;
        more = h.more() && !page.isEmpty();
        if (!page.isEmpty()) {
            cursor = page.get(page.size() - 1).position();
            return false;
        }
        return !more && ok && behindHeld();
    }

    /** The history stayed behind the held live messages too long: the replay ends where it is. */
    void giveUpStale() {
        staleGaveUp = true;
    }

    /** Where the history walk stands, for logs. */
    StreamPosition cursor() {
        return cursor;
    }

    /** The offset sent last (0 before any). */
    long lastSent() {
        return lastSent;
    }

    /** The epoch of the walk's position, or "" before the first page. */
    String epoch() {
        return cursor == null ? "" : cursor.epoch();
    }

    /** What the client now holds of the stream when it ends well, else null. */
    StreamPosition replayedTo() {
        return ok && cursor != null && lastSent > 0 ? new StreamPosition(cursor.epoch(), lastSent) : null;
    }

    /** Whether the history walk reached the live messages held for the stream: the rest is in the hold. */
    private boolean caughtUp() {
        long firstHeld = firstHeld(Long.MAX_VALUE);
        return cursor != null && cursor.offset() >= firstHeld;
    }

    /**
     * Whether the history walk ended before the held live messages begin: a stream's offsets are contiguous, so
     * events lie between that the bus's history has not shown yet (a lagging replica answered).
     */
    private boolean behindHeld() {
        long firstHeld = firstHeld(Long.MIN_VALUE);
        return cursor != null && firstHeld != Long.MIN_VALUE && cursor.offset() < firstHeld - 1;
    }

    /** The offset of the first live message held for the stream in the cursor's epoch, else {@code none}. */
    private long firstHeld(long none) {
        return cursor == null ? none : held.offset(want.stream(), cursor.epoch(), none);
    }
}
