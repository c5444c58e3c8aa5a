package io.channelpush.chaos;

import java.util.Arrays;

/** A growable list of ints (a client's receipts: tens of thousands each). Not thread-safe. */
final class IntList {
    private int[] values = new int[256];
    private int size;

    void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    int get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }

    IntList copy() {
        IntList c = new IntList();
        c.values = Arrays.copyOf(values, Math.max(size, 1));
        c.size = size;
        return c;
    }
}
