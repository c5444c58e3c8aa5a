package io.channelpush.push.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replay cache without sockets, on a clock the test moves: replays stay caught, memory stays bounded. */
class ReplayCacheTest {
    private static final long T0 = 1_700_000_000L;

    /** A clock the test sets. */
    private static final class FakeClock extends Clock {
        volatile long seconds = T0;

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(seconds);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static String nonce(long i) {
        return "n" + Long.toString(i, 36) + "-padding";
    }

    @Test
    void pastTheOldHundredThousandAndAcrossWindowRollOversReplaysAreCaughtAndSizeStaysBounded() {
        // 50,000 nonces a second for 100 s at the default window (±30 s): 5 million in all, 50 times the old limit
        NonceCache cache = new NonceCache(PublishAuthenticator.DEFAULT_SKEW_SECONDS,
                PublishAuthenticator.DEFAULT_MAX_NONCES);
        int perSecond = 50_000;
        long peakSize = 0;
        long peakSlots = 0;
        long i = 0;
        for (long now = T0; now < T0 + 100; now++) {
            for (int k = 0; k < perSecond; k++, i++) {
                // timestamps spread over the window, as clients with skewed clocks send them
                long ts = now - 30 + (i % 61);
                assertTrue(cache.add("k1", nonce(i), ts, now).accepted(), "nonce " + i + " refused");
            }
            // a replay of the first nonce of 20 s ago (its timestamp still acceptable) is caught
            if (now >= T0 + 20) {
                long old = (now - T0 - 20) * perSecond;
                long oldTs = (now - 20) - 30 + (old % 61);
                if (Math.abs(now - oldTs) <= 30) {
                    assertTrue(cache.add("k1", nonce(old), oldTs, now).replay(), "replay of nonce " + old);
                }
            }
            // and a nonce of this second under another key is not a replay
            assertTrue(cache.add("k2", nonce(i - 1), now, now).accepted());
            peakSize = Math.max(peakSize, cache.size());
            peakSlots = Math.max(peakSlots, cache.allocatedSlots());
        }
        // only the window is held: about 61 s of timestamps, never the 5 million seen
        assertTrue(peakSize <= 61L * (perSecond + 1), "held " + peakSize);
        assertTrue(peakSlots * 8 <= 21.4 * PublishAuthenticator.DEFAULT_MAX_NONCES, "tables of " + peakSlots);
        assertTrue(peakSlots * 8 <= 21.4 * peakSize + 61 * 64 * 8, "tables of " + peakSlots + " for " + peakSize);
    }

    @Test
    void aNonceIsForgottenOnlyWhenItsTimestampCanNoLongerPass() {
        NonceCache cache = new NonceCache(30, 1000);
        assertTrue(cache.add("k1", "abcdefgh", T0, T0).accepted());
        // still a replay at the last second its timestamp is acceptable
        assertTrue(cache.add("k1", "abcdefgh", T0, T0 + 30).replay());
        cache.expire(T0 + 31);
        assertEquals(0, cache.size());
        // a timestamp from the future is kept until it too leaves the window
        assertTrue(cache.add("k1", "future01", T0 + 60, T0 + 31).accepted());
        assertTrue(cache.add("k1", "future01", T0 + 60, T0 + 90).replay());
    }

    @Test
    void whenFullItRefusesUntilTheOldestSecondExpiresAndSaysHowLong() {
        NonceCache cache = new NonceCache(30, 100);
        for (int k = 0; k < 100; k++) {
            assertTrue(cache.add("k1", nonce(k), T0 - 10, T0).accepted());
        }
        NonceCache.Result full = cache.add("k1", nonce(100), T0, T0);
        assertFalse(full.accepted() || full.replay());
        // the oldest timestamp, T0 - 10, can pass until T0 + 20: room comes back at T0 + 21
        assertEquals(21, full.retryAfterSeconds());
        // a replay is still a replay when full
        assertTrue(cache.add("k1", nonce(5), T0 - 10, T0 + 5).replay());
        assertFalse(cache.add("k1", nonce(100), T0 + 20, T0 + 20).accepted());
        assertTrue(cache.add("k1", nonce(100), T0 + 21, T0 + 21).accepted(), "room did not come back on time");
    }

    @Test
    void theAuthenticatorAnswers429WithTheRightRetryAfterAndKeepsCatchingReplays() {
        FakeClock clock = new FakeClock();
        PublishAuthenticator auth = new PublishAuthenticator(Map.of("k1", "s1"), List.of(), clock, 30, 150_000);
        // more than the old limit of 100,000 within one window
        for (int i = 0; i < 120_000; i++) {
            if (i % 2_000 == 0) {
                clock.seconds = T0 + i / 2_000 / 4; // 15 s of traffic
            }
            PublishAuthenticator.Verdict v = check(auth, clock.seconds, nonce(i));
            assertTrue(v.accepted(), i + ": " + v.reason());
        }
        assertEquals(401, check(auth, T0, nonce(0)).status(), "a replay was accepted");
        for (int i = 120_000; i < 150_000; i++) {
            assertTrue(check(auth, clock.seconds, nonce(i)).accepted());
        }
        PublishAuthenticator.Verdict full = check(auth, clock.seconds, nonce(150_000));
        assertEquals(429, full.status());
        // the oldest nonces have timestamp T0: acceptable until T0 + 30, so room at T0 + 31
        assertEquals(T0 + 31 - clock.seconds, full.retryAfterSeconds());
        assertTrue(full.reason().endsWith("retry in " + full.retryAfterSeconds() + " s"), full.reason());
        long lastTs = clock.seconds;
        clock.seconds = T0 + 31;
        assertTrue(check(auth, clock.seconds, nonce(150_000)).accepted(), "room did not come back when promised");
        // the same signed request again (same timestamp, same nonce) is still refused
        assertEquals(401, check(auth, lastTs, nonce(149_999)).status(), "a replay was accepted");
    }

    private static PublishAuthenticator.Verdict check(PublishAuthenticator auth, long ts, String nonce) {
        Map<String, String> h = PublishSigner.headers("k1", "s1", "GET", "/", "content=x", new byte[0], ts, nonce);
        return auth.check("GET", "/", "content=x", new byte[0], h::get);
    }
}
