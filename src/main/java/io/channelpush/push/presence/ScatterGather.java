package io.channelpush.push.presence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Asks every live node one question and gathers their answers: {@link #ask} publishes the question (through the
 * {@code publish} callback, with a query id), then waits until every node that was a member when it asked has
 * answered, or until the wait bound; {@link #answered} is fed the answers as they come back. At most
 * {@code maxInFlight} questions wait at once ({@link Full} beyond). Generic: the question and answers are opaque
 * strings, so publish results can reuse it. Thread-safe; {@link #ask} blocks its caller up to the wait bound.
 */
public final class ScatterGather {
    /** Thrown by {@link #ask} when {@code maxInFlight} questions are waiting already. */
    public static final class Full extends RuntimeException {
        Full(int max) {
            super(max + " cluster queries are waiting for answers already", null, false, false);
        }
    }

    /**
     * The answers gathered: worker id to answer (sorted), and the members that did not answer within the bound.
     */
    public record Result(Map<String, String> answers, List<String> missing) {
        public boolean partial() {
            return !missing.isEmpty();
        }
    }

    private static final class Pending {
        final Set<String> expected;
        final Map<String, String> answers = new TreeMap<>();

        Pending(Set<String> expected) {
            this.expected = expected;
        }

        synchronized void add(String from, String answer) {
            answers.put(from, answer);
            if (answers.keySet().containsAll(expected)) {
                notifyAll();
            }
        }

        synchronized Result await(long deadlineNanos) throws InterruptedException {
            long left;
            while (!answers.keySet().containsAll(expected) && (left = deadlineNanos - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            List<String> missing = new ArrayList<>();
            for (String e : expected) {
                if (!answers.containsKey(e)) {
                    missing.add(e);
                }
            }
            missing.sort(null);
            return new Result(new TreeMap<>(answers), missing);
        }
    }

    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Semaphore slots;
    private final int maxInFlight;
    private final long waitNanos;

    public ScatterGather(int maxInFlight, long waitNanos) {
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
        this.waitNanos = waitNanos;
    }

    /**
     * Asks {@code members} (the live nodes now) a question and waits for their answers, at most the wait bound.
     *
     * @param publish sends (query id, question) to every node; may throw (the bus refused), then nothing waits
     * @throws Full when too many questions are waiting
     * @throws InterruptedException when the caller is interrupted while waiting
     */
    public Result ask(List<String> members, String question, BiConsumer<Long, String> publish)
            throws InterruptedException {
        if (!slots.tryAcquire()) {
            throw new Full(maxInFlight);
        }
        long id = ids.incrementAndGet();
        Pending p = new Pending(new HashSet<>(members));
        pending.put(id, p);
        try {
            long deadline = System.nanoTime() + waitNanos;
            publish.accept(id, question);
            return p.await(deadline);
        } finally {
            pending.remove(id);
            slots.release();
        }
    }

    /** An answer to question {@code queryId} from {@code from}; one for a question no longer waiting is dropped. */
    public void answered(long queryId, String from, String answer) {
        Pending p = pending.get(queryId);
        if (p != null) {
            p.add(from, answer);
        }
    }

    /** Questions waiting now. */
    public int inFlight() {
        return pending.size();
    }
}
