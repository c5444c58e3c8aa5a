package io.channelpush.bench;

/**
 * A fixed-size log-linear histogram of non-negative nanosecond values, in the manner of HdrHistogram but
 * hand-written (no dependency): values below 128 have a bucket each; above, every power of two is split into
 * 64 linear buckets, so a recorded value is known to within 1/64 (about 1.6 %) of itself. 3,712 counters cover
 * every non-negative long; recording is a few shifts and one array increment, with no allocation. The exact maximum is
 * kept aside. Not thread-safe: one writer, read after that writer has stopped.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;
    private static final int HALF = SUB / 2;
    private static final int BUCKETS = (62 - SUB_BITS + 2) * HALF + HALF;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    /** Adds another histogram's counts to this one. */
    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long maxNanos() {
        return max;
    }

    /**
     * The value at a percentile (0-100]: the highest value of the bucket holding that rank, capped at the
     * exact maximum; 0 when nothing was recorded.
     */
    long percentileNanos(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(highestInBucket(i), max);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int shift = 64 - Long.numberOfLeadingZeros(v) - SUB_BITS;
        return (shift + 1) * HALF + (int) ((v >>> shift) - HALF);
    }

    static long highestInBucket(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = index / HALF - 1;
        long sub = index % HALF + HALF;
        return ((sub + 1) << shift) - 1;
    }
}
