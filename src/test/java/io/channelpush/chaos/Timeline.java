package io.channelpush.chaos;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The phases of one chaos run ("steady", "daemon SIGSTOP 10 s", ...), so that every publish and every receipt can
 * say when it happened. Thread-safe: the driver starts phases, publishers and clients read the current one.
 */
final class Timeline {
    private final long start = System.nanoTime();
    private final List<String> names = new CopyOnWriteArrayList<>();
    private final List<Long> starts = new CopyOnWriteArrayList<>();
    private volatile int current = -1;

    Timeline() {
        begin("start");
    }

    /** Starts the phase {@code name}; returns its index. */
    synchronized int begin(String name) {
        names.add(name);
        starts.add(System.nanoTime() - start);
        current = names.size() - 1;
        return current;
    }

    int current() {
        return current;
    }

    String name(int phase) {
        return names.get(phase);
    }

    /** Milliseconds since the run started. */
    long nowMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** "phase 'name' (from +12.3 s)". */
    String describe(int phase) {
        return "'" + names.get(phase) + "' (from +" + String.format("%.1f", starts.get(phase) / 1e9) + " s)";
    }

    int count() {
        return names.size();
    }
}
