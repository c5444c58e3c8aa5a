package io.channelpush.push.presence;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What presence events cost one node: heap per (group, user) pair tracked for the cluster, and announcements
 * counted per second, without sockets or bus (the bus's own cost per message is in the README's other figures).
 * Run: {@code java -Xmx1g -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt)
 * io.channelpush.push.presence.PresenceCountsBench [pairs] [nodes per pair]}. Prints its figures; asserts nothing.
 */
public final class PresenceCountsBench {
    private PresenceCountsBench() {
    }

    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perPair = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        AtomicLong events = new AtomicLong();
        PresenceCounts warm = new PresenceCounts(pairs, (g, u, j) -> events.incrementAndGet());
        run(warm, pairs, perPair);
        events.set(0);
        long before = used();
        PresenceCounts counts = new PresenceCounts(pairs, (g, u, j) -> events.incrementAndGet());
        long t0 = System.nanoTime();
        for (int n = 0; n < perPair; n++) {
            for (int i = 0; i < pairs; i++) {
                // fresh strings, as each decoded bus message brings its own
                counts.joined("node-" + n, "room-" + (i % 1_000), "user-" + i);
            }
        }
        long joinNanos = System.nanoTime() - t0;
        long after = used();
        System.out.printf("%,d (group, user) pairs on %d nodes each: %,d bytes of heap per pair (%,d per share)%n",
                counts.pairs(), perPair, (after - before) / pairs, (after - before) / ((long) pairs * perPair));
        long t1 = System.nanoTime();
        for (int n = 0; n < perPair; n++) {
            for (int i = 0; i < pairs; i++) {
                counts.left("node-" + n, "room-" + (i % 1_000), "user-" + i);
            }
        }
        long leaveNanos = System.nanoTime() - t1;
        long announcements = (long) pairs * perPair;
        System.out.printf("joins counted: %,.0f/s; leaves counted: %,.0f/s; events emitted: %,d%n",
                announcements * 1e9 / joinNanos, announcements * 1e9 / leaveNanos, events.get());
    }

    private static void run(PresenceCounts c, int pairs, int perPair) {
        for (int n = 0; n < perPair; n++) {
            for (int i = 0; i < pairs; i++) {
                c.joined("node-" + n, "room-" + (i % 1_000), "user-" + i);
            }
        }
        for (int n = 0; n < perPair; n++) {
            c.nodeGone("node-" + n);
        }
    }

    private static long used() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return r.totalMemory() - r.freeMemory();
    }
}
