package io.channelpush.push.auth;

import java.security.SecureRandom;

/**
 * The nonces of accepted signed requests, remembered exactly as long as a replay could still pass the timestamp
 * check. A request's timestamp {@code t} is accepted while {@code |now - t| <= skew}, so its nonce is kept in the
 * bucket of second {@code t} and the bucket is dropped once {@code t < now - skew}: there are never more than
 * {@code 2 * skew + 1} buckets, and a ring of that many slots indexed by {@code t mod size} holds them.
 *
 * <p>Each nonce is stored as a 64-bit hash of (key id, nonce), seeded at random per node (so no caller can aim
 * collisions at a chosen slot), in an open-addressing table of {@code long}s per bucket: no object per nonce. Two
 * different nonces of one second share a hash with odds of about {@code n / 2^64} per request.
 *
 * <p>Memory is bounded by {@code maxEntries}: beyond it {@link #add} refuses until the oldest bucket expires. A
 * table grows at 3/4 full by doubling, so it is at least 3/8 full and a nonce costs at most 8 / (3/8) = 21.4
 * bytes: at most {@code 21.4 * maxEntries} bytes in all (86 MB at the default 4,000,000), about 11 to 21 bytes
 * per nonce in practice, plus one empty slot per second of the window.
 *
 * <p>Thread-safe: every method is synchronized (a few hundred nanoseconds each).
 */
final class NonceCache {
    /** Outcome of {@link #add}: accepted, already seen, or full (retry after {@code retryAfterSeconds}). */
    record Result(boolean accepted, boolean replay, long retryAfterSeconds) {
        static final Result ACCEPTED = new Result(true, false, 0);
        static final Result REPLAY = new Result(false, true, 0);
    }

    private final long skew;
    private final long maxEntries;
    private final long seed = new SecureRandom().nextLong();
    private final Bucket[] ring;
    private long entries;
    private long lastExpiry = Long.MIN_VALUE;

    /**
     * @param skewSeconds the timestamp window on either side of now, as checked before {@link #add}
     * @param maxEntries most nonces held at once
     */
    NonceCache(long skewSeconds, long maxEntries) {
        if (skewSeconds < 1 || maxEntries < 1) {
            throw new IllegalArgumentException("skew and size must be positive");
        }
        this.skew = skewSeconds;
        this.maxEntries = maxEntries;
        this.ring = new Bucket[Math.toIntExact(2 * skewSeconds + 1)];
    }

    /**
     * Remembers a nonce whose timestamp passed the window check.
     *
     * @param timestamp the request's timestamp, within {@code now ± skew}
     * @param now the server's clock, Unix seconds
     */
    synchronized Result add(String keyId, String nonce, long timestamp, long now) {
        if (Math.abs(now - timestamp) > skew) {
            throw new IllegalArgumentException("timestamp outside the window: check it first");
        }
        if (now != lastExpiry) {
            lastExpiry = now;
            expire(now); // once a second: expired buckets give their memory back even when nothing reuses them
        }
        int slot = (int) Math.floorMod(timestamp, (long) ring.length);
        Bucket b = ring[slot];
        if (b != null && b.second != timestamp) {
            // the slot's second is out of the window (a live second has a slot of its own): its nonces can no
            // longer be replayed
            drop(slot);
            b = null;
        }
        long hash = hash(keyId, nonce);
        if (b != null && b.contains(hash)) {
            return Result.REPLAY;
        }
        if (entries >= maxEntries) {
            return new Result(false, false, retryAfter(now));
        }
        if (b == null) {
            b = ring[slot] = new Bucket(timestamp);
        }
        b.add(hash);
        entries++;
        return Result.ACCEPTED;
    }

    /** Nonces held now. */
    synchronized long size() {
        return entries;
    }

    /** Longs allocated for the tables now (8 bytes each), for the memory bound's test. */
    synchronized long allocatedSlots() {
        long n = 0;
        for (Bucket b : ring) {
            n += b == null ? 0 : b.table.length;
        }
        return n;
    }

    /** Drops the buckets whose second left the window. */
    synchronized void expire(long now) {
        for (int i = 0; i < ring.length; i++) {
            if (ring[i] != null && ring[i].second < now - skew) {
                drop(i);
            }
        }
    }

    private void drop(int slot) {
        entries -= ring[slot].size;
        ring[slot] = null;
    }

    /** Seconds until the oldest bucket expires and frees room. */
    private long retryAfter(long now) {
        long oldest = Long.MAX_VALUE;
        for (Bucket b : ring) {
            if (b != null && b.size > 0) {
                oldest = Math.min(oldest, b.second);
            }
        }
        return oldest == Long.MAX_VALUE ? 1 : Math.max(1, oldest + skew + 1 - now);
    }

    private long hash(String keyId, String nonce) {
        long h = seed;
        h = mix(h, keyId);
        h = (h ^ 0x1F) * 0x100000001b3L; // separator: "k1" + "ab" differs from "k1a" + "b"
        h = mix(h, nonce);
        // murmur3's finalizer spreads the FNV state over all 64 bits
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h; // 0 marks an empty slot
    }

    private static long mix(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    /** The hashes of one second's nonces: linear probing over a power-of-two table, 0 = empty. */
    private static final class Bucket {
        final long second;
        long[] table = new long[64];
        int size;

        Bucket(long second) {
            this.second = second;
        }

        boolean contains(long hash) {
            int mask = table.length - 1;
            for (int i = (int) (hash ^ hash >>> 32) & mask; ; i = (i + 1) & mask) {
                long v = table[i];
                if (v == 0) {
                    return false;
                }
                if (v == hash) {
                    return true;
                }
            }
        }

        void add(long hash) {
            if (4L * (size + 1) > 3L * table.length) {
                long[] old = table;
                table = new long[old.length * 2];
                for (long v : old) {
                    if (v != 0) {
                        put(v);
                    }
                }
            }
            put(hash);
            size++;
        }

        private void put(long hash) {
            int mask = table.length - 1;
            int i = (int) (hash ^ hash >>> 32) & mask;
            while (table[i] != 0) {
                i = (i + 1) & mask;
            }
            table[i] = hash;
        }
    }
}
