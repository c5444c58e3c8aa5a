package io.channelpush.push.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Token verification and the key setting, without sockets, on a fixed clock. */
class ConnectionTokensTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final ConnectionTokens tokens = new ConnectionTokens(Map.of("k1", SECRET),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static String sign(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder valid() {
        return new JWTClaimsSet.Builder().subject("u1").expirationTime(Date.from(NOW.plusSeconds(60)));
    }

    @Test
    void aValidTokenGivesItsIdentity() throws Exception {
        ConnectionTokens.Verdict v = tokens.verify(sign(valid().claim("groups", List.of("a", "b-*"))
                .claim("send", true).build()));
        assertTrue(v.accepted(), v.refusal());
        assertEquals("u1", v.identity().userId());
        assertTrue(v.identity().mayJoin("a"));
        assertTrue(v.identity().mayJoin("b-7"));
        assertFalse(v.identity().mayJoin("ab"));
        assertFalse(v.identity().mayJoin("b"));
        assertTrue(v.identity().maySendTo("b-1"));
        assertFalse(v.identity().maySendTo("c"));
    }

    @Test
    void withoutClaimsATokenGrantsNoGroupAndNoSending() throws Exception {
        ConnectionIdentity id = tokens.verify(sign(valid().build())).identity();
        assertFalse(id.mayJoin("any"));
        assertFalse(id.maySendTo("any"));
        ConnectionIdentity all = tokens.verify(sign(valid().claim("groups", List.of("*")).build())).identity();
        assertTrue(all.mayJoin("any"));
        assertFalse(all.maySendTo("any"), "send defaults to false");
    }

    @Test
    void expiryAllowsTheClockSkewAndNoMore() throws Exception {
        int skew = ConnectionTokens.CLOCK_SKEW_SECONDS;
        assertTrue(tokens.verify(sign(valid().expirationTime(Date.from(NOW.minusSeconds(skew))).build())).accepted());
        assertEquals("the connection token has expired; get a new one",
                tokens.verify(sign(valid().expirationTime(Date.from(NOW.minusSeconds(skew + 1))).build())).refusal());
    }

    @Test
    void requiredClaimsAndTheirTypesAreChecked() throws Exception {
        assertTrue(tokens.verify(sign(new JWTClaimsSet.Builder().subject("u").build())).refusal().contains("no exp"));
        assertTrue(tokens.verify(sign(valid().subject(null).build())).refusal().contains("sub"));
        assertTrue(tokens.verify(sign(valid().subject("x".repeat(129)).build())).refusal().contains("sub"));
        assertTrue(tokens.verify(sign(valid().subject("two words").build())).refusal().contains("sub"));
        assertTrue(tokens.verify(sign(valid().subject("a@b.c").build())).accepted());
        assertTrue(tokens.verify(sign(valid().claim("groups", "a").build())).refusal().contains("groups"));
        assertTrue(tokens.verify(sign(valid().claim("send", "yes").build())).refusal().contains("send"));
        assertTrue(tokens.verify(sign(valid().notBeforeTime(Date.from(NOW.plusSeconds(120))).build())).refusal()
                .contains("not valid yet"));
    }

    @Test
    void malformedTokensAreRefusedWithAReason() {
        assertTrue(tokens.verify(null).refusal().contains("required"));
        assertTrue(tokens.verify("").refusal().contains("required"));
        assertTrue(tokens.verify("not.a.jwt").refusal().contains("not a well-formed JWT"));
        assertTrue(tokens.verify("x".repeat(ConnectionTokens.MAX_TOKEN_CHARS + 1)).refusal().contains("longer than"));
    }

    @Test
    void aTokenWithoutKidIsRefused() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), valid().build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        assertTrue(tokens.verify(jwt.serialize()).refusal().contains("no kid"));
    }

    @Test
    void theKeySettingIsCheckedAtStartUp() {
        assertNull(ConnectionTokens.fromSetting(null));
        assertEquals(Map.of("k1", SECRET, "k2", SECRET + "x"),
                ConnectionTokens.parseKeys(" k1:" + SECRET + " , k2:" + SECRET + "x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionTokens.parseKeys("k1:short"))
                .getMessage().contains("at least 32"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionTokens.parseKeys("k1:" + SECRET + ",k1:" + SECRET));
        assertThrows(IllegalArgumentException.class, () -> ConnectionTokens.parseKeys("k1"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionTokens.parseKeys(":" + SECRET));
        assertThrows(IllegalArgumentException.class, () -> ConnectionTokens.parseKeys("k1:"));
    }
}
