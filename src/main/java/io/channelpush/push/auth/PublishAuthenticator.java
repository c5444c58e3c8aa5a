package io.channelpush.push.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Checks publisher requests: an HMAC signature from {@link PublishSigner} under one of several active keys
 * (rotation), with a timestamp within ± the allowed clock skew (default {@value #DEFAULT_SKEW_SECONDS} s) and a
 * nonce not seen while that timestamp is acceptable ({@link NonceCache}); or a bearer token. Signatures and tokens
 * are compared in constant time. Thread-safe.
 */
public final class PublishAuthenticator {
    /** Default largest difference between a request's timestamp and the server's clock, in seconds. */
    public static final int DEFAULT_SKEW_SECONDS = 30;
    /** Default most nonces remembered at once: 50,000 signed requests/s over a ±30 s window, plus a margin. */
    public static final int DEFAULT_MAX_NONCES = 4_000_000;
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{8,64}");

    /**
     * Outcome: {@code status} 0 when accepted, else the HTTP status to answer with {@code reason}, and for 429
     * the seconds after which to retry ({@code Retry-After}), else 0.
     */
    public record Verdict(int status, String reason, long retryAfterSeconds) {
        static final Verdict OK = new Verdict(0, null, 0);

        Verdict(int status, String reason) {
            this(status, reason, 0);
        }

        public boolean accepted() {
            return status == 0;
        }
    }

    private final Map<String, String> keys;
    private final List<String> tokens;
    private final Clock clock;
    private final long skew;
    private final NonceCache nonces;

    /**
     * @param keys key id to secret; several may be active at once
     * @param tokens accepted bearer tokens
     * @param skewSeconds largest difference between a request's timestamp and {@code clock}
     * @param maxNonces most nonces remembered at once (memory bound, see {@link NonceCache}); beyond it signed
     *                  requests get 429 until the oldest second of nonces expires
     */
    public PublishAuthenticator(Map<String, String> keys, List<String> tokens, Clock clock, int skewSeconds,
                                int maxNonces) {
        this.keys = Map.copyOf(keys);
        this.tokens = List.copyOf(tokens);
        this.clock = clock;
        this.skew = skewSeconds;
        this.nonces = new NonceCache(skewSeconds, maxNonces);
    }

    /**
     * Parses the settings {@code id:secret,id2:secret2} and {@code token1,token2}.
     *
     * @return null when neither is set (the publisher is open)
     * @throws IllegalArgumentException for a malformed key list, a repeated key id or a short secret ({@link KeyList})
     */
    public static PublishAuthenticator fromSettings(String keySetting, String tokenSetting, int skewSeconds,
                                                    int maxNonces) {
        Map<String, String> keys = keySetting == null ? Map.of() : KeyList.parse(keySetting, "publish");
        List<String> tokens = tokenSetting == null ? List.of()
                : List.of(tokenSetting.split(",")).stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
        return keys.isEmpty() && tokens.isEmpty() ? null
                : new PublishAuthenticator(keys, tokens, Clock.systemUTC(), skewSeconds, maxNonces);
    }

    /**
     * @param header request header lookup (name to value or null)
     * @param rawQuery the URL's query string as sent, or null
     */
    public Verdict check(String method, String path, String rawQuery, byte[] body, UnaryOperator<String> header) {
        String auth = header.apply("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return bearer(auth.substring(7).strip());
        }
        String keyId = header.apply(PublishSigner.KEY_ID);
        String ts = header.apply(PublishSigner.TIMESTAMP);
        String nonce = header.apply(PublishSigner.NONCE);
        String sig = header.apply(PublishSigner.SIGNATURE);
        if (keyId == null || ts == null || nonce == null || sig == null) {
            return refuse("missing signature: send " + PublishSigner.KEY_ID + ", " + PublishSigner.TIMESTAMP + ", "
                    + PublishSigner.NONCE + " and " + PublishSigner.SIGNATURE + " (or Authorization: Bearer)");
        }
        String secret = keys.get(keyId);
        if (secret == null) {
            return refuse("unknown key id " + PublishSigner.encode(keyId));
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            return refuse(PublishSigner.TIMESTAMP + " must be Unix seconds");
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - timestamp) > skew) {
            return refuse("timestamp is more than " + skew + " s away from the server's clock (" + now
                    + "); check the client's clock");
        }
        if (!NONCE.matcher(nonce).matches()) {
            return refuse(PublishSigner.NONCE + " must be 8 to 64 of A-Z a-z 0-9 _ -");
        }
        String expected;
        try {
            expected = PublishSigner.signature(secret,
                    PublishSigner.stringToSign(method, path, rawQuery, body, timestamp, nonce));
        } catch (IllegalArgumentException e) {
            return new Verdict(400, "the query string cannot be decoded: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), sig.getBytes(StandardCharsets.US_ASCII))) {
            return refuse("signature does not match");
        }
        NonceCache.Result r = nonces.add(keyId, nonce, timestamp, now);
        if (r.replay()) {
            return refuse("nonce already used: this request was replayed");
        }
        if (!r.accepted()) {
            return new Verdict(429, "too many signed requests for the replay cache (the last " + (2 * skew + 1)
                    + " s of timestamps); retry in " + r.retryAfterSeconds() + " s", r.retryAfterSeconds());
        }
        return Verdict.OK;
    }

    private Verdict bearer(String token) {
        boolean match = false;
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        for (String t : tokens) {
            match |= MessageDigest.isEqual(t.getBytes(StandardCharsets.UTF_8), given);
        }
        return match ? Verdict.OK : refuse("bearer token not accepted");
    }

    private static Verdict refuse(String reason) {
        return new Verdict(401, reason);
    }
}
