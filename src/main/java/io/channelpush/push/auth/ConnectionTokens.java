package io.channelpush.push.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Verifies WebSocket connection tokens: JWTs signed with HS256 under one of several active keys (the {@code kid}
 * header picks it; several keys allow rotation), with {@code sub} (the user id) and {@code exp} required,
 * {@code nbf} honoured, and the optional claims {@code groups} and {@code send} ({@link ConnectionIdentity}).
 * Parsing and the signature check are Nimbus JOSE+JWT's; this class only insists on HS256 (an unsigned token, or
 * one signed with any other algorithm, is refused whatever its key id), on a known key id, and on the claims.
 * Thread-safe: immutable after construction.
 */
public final class ConnectionTokens {
    /** Fewest secret bytes of a key: HS256 needs a 256-bit key (RFC 7518 section 3.2). */
    public static final int MIN_SECRET_BYTES = KeyList.MIN_SECRET_BYTES;
    /** Longest token taken, in characters; a longer one is refused before it is parsed. */
    public static final int MAX_TOKEN_CHARS = 4096;
    /** How far {@code exp} and {@code nbf} may be off the node's clock, in seconds. */
    public static final int CLOCK_SKEW_SECONDS = 30;

    /** A verified token's identity, or why the token is refused (one line, safe to show to the client). */
    public record Verdict(ConnectionIdentity identity, String refusal) {
        public boolean accepted() {
            return identity != null;
        }
    }

    private static final Pattern ALG_NAME = Pattern.compile("[A-Za-z0-9+_-]{1,20}");

    private final Map<String, MACVerifier> verifiers;
    private final Clock clock;

    /** @param keys key id to secret (each at least {@value #MIN_SECRET_BYTES} bytes in UTF-8) */
    public ConnectionTokens(Map<String, String> keys, Clock clock) {
        Map<String, MACVerifier> v = new LinkedHashMap<>();
        keys.forEach((id, secret) -> v.put(id, verifier(id, secret)));
        this.verifiers = Map.copyOf(v);
        this.clock = clock;
    }

    /**
     * Reads the setting {@code id:secret[,id:secret...]} (the form of {@code channelpush.publish-keys}).
     *
     * @return null when {@code setting} is null (connections stay anonymous)
     * @throws IllegalArgumentException for a malformed list, a repeated id or a secret shorter than
     *                                  {@value #MIN_SECRET_BYTES} bytes
     */
    public static ConnectionTokens fromSetting(String setting) {
        return setting == null ? null : new ConnectionTokens(parseKeys(setting), Clock.systemUTC());
    }

    /** Parses and checks {@code id:secret[,id:secret...]} ({@link KeyList}); see {@link #fromSetting}. */
    public static Map<String, String> parseKeys(String setting) {
        Map<String, String> keys = KeyList.parse(setting, "connection");
        keys.forEach(ConnectionTokens::verifier);
        return keys;
    }

    private static MACVerifier verifier(String id, String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("connection key " + id + " has " + bytes.length + " bytes; HS256 needs "
                    + "at least " + MIN_SECRET_BYTES + " (e.g. openssl rand -base64 32)");
        }
        try {
            return new MACVerifier(bytes);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("connection key " + id + ": " + e.getMessage(), e);
        }
    }

    /** Checks a token as the client sent it (null when it sent none). */
    public Verdict verify(String token) {
        if (token == null || token.isEmpty()) {
            return refuse("a connection token is required: send ?token=<JWT> or Authorization: Bearer <JWT>");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            return refuse("the connection token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            JWT parsed = JWTParser.parse(token);
            if (!(parsed instanceof SignedJWT s)) {
                return refuse("the connection token is not signed; sign it with HS256");
            }
            jwt = s;
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return refuse("the connection token is not a well-formed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
            String alg = header.getAlgorithm().getName();
            // the name comes from the client: echoed (to it and to the log) only when it looks like one
            return refuse("the connection token is signed with " + (ALG_NAME.matcher(alg).matches() ? alg
                    : "another algorithm") + "; only HS256 is accepted");
        }
        MACVerifier verifier = header.getKeyID() == null ? null : verifiers.get(header.getKeyID());
        if (verifier == null) {
            return refuse(header.getKeyID() == null ? "the connection token has no kid (key id) header"
                    : "the connection token's key id is not among this server's connection keys");
        }
        try {
            if (!jwt.verify(verifier)) {
                return refuse("the connection token's signature does not match");
            }
        } catch (JOSEException e) {
            return refuse("the connection token's signature cannot be checked");
        }
        return claims(claims);
    }

    private Verdict claims(JWTClaimsSet claims) {
        long now = clock.millis();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return refuse("the connection token has no exp (expiry) claim");
        }
        if (now > exp.getTime() + CLOCK_SKEW_SECONDS * 1000L) {
            return refuse("the connection token has expired; get a new one");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now < nbf.getTime() - CLOCK_SKEW_SECONDS * 1000L) {
            return refuse("the connection token is not valid yet (nbf); check the clocks");
        }
        String sub = claims.getSubject();
        if (!UserIds.isValid(sub)) {
            // the user id the publisher addresses (to_uid) must be one it can name
            return refuse("the connection token's sub (user id) must be " + UserIds.RULE);
        }
        List<String> groups;
        Boolean send;
        try {
            groups = claims.getStringListClaim("groups");
            send = claims.getBooleanClaim("send");
        } catch (ParseException e) {
            return refuse("the connection token's groups must be a list of strings and send a boolean");
        }
        if (groups != null && groups.contains(null)) {
            return refuse("the connection token's groups must be a list of strings");
        }
        return new Verdict(new ConnectionIdentity(sub, groups == null ? List.of() : groups,
                Boolean.TRUE.equals(send)), null);
    }

    private static Verdict refuse(String reason) {
        return new Verdict(null, reason);
    }
}
