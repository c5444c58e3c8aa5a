package io.channelpush.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts outcomes by name, such as {@code close 1009} or {@code HTTP 431}. Thread-safe. */
final class Tally {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String outcome) {
        counts.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    /** {@code outcome=count, ...} sorted by outcome. */
    @Override
    public String toString() {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted.toString();
    }
}
