package io.channelpush.chaos;

import java.util.HashMap;
import java.util.Map;

/**
 * The numbered messages one client received, per publisher and stream, in arrival order, each with the phase it
 * arrived in and whether a {@code recover} was pending then. Not thread-safe: its {@link ChaosClient} guards it.
 */
final class Receipts {
    private final Map<String, IntList> seqs = new HashMap<>();
    private final Map<String, IntList> phases = new HashMap<>();
    private final Map<String, IntList> duringRecovery = new HashMap<>();

    void add(String publisher, String stream, int seq, int phase, boolean recovering) {
        String key = publisher + "|" + stream;
        seqs.computeIfAbsent(key, k -> new IntList()).add(seq);
        phases.computeIfAbsent(key, k -> new IntList()).add(phase);
        duringRecovery.computeIfAbsent(key, k -> new IntList()).add(recovering ? 1 : 0);
    }

    /** Numbers received from {@code publisher} on {@code stream}, in arrival order (a copy). */
    IntList seqs(String publisher, String stream) {
        return copy(seqs, publisher, stream);
    }

    /** The phase each of {@link #seqs} arrived in (a copy). */
    IntList phases(String publisher, String stream) {
        return copy(phases, publisher, stream);
    }

    /** Per receipt of {@link #seqs}: 1 when a recover was pending as it arrived (a copy). */
    IntList duringRecovery(String publisher, String stream) {
        return copy(duringRecovery, publisher, stream);
    }

    /** Whether number {@code seq} of {@code publisher} arrived on {@code stream}. */
    boolean has(String publisher, String stream, int seq) {
        IntList l = seqs.get(publisher + "|" + stream);
        if (l == null) {
            return false;
        }
        for (int i = l.size() - 1; i >= 0; i--) {
            if (l.get(i) == seq) {
                return true;
            }
        }
        return false;
    }

    private static IntList copy(Map<String, IntList> m, String publisher, String stream) {
        IntList l = m.get(publisher + "|" + stream);
        return l == null ? new IntList() : l.copy();
    }
}
