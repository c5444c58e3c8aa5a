package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection tokens on real nodes ({@code channelpush.connection-keys}): a valid JWT opens the WebSocket, every
 * other handshake is refused with 401 and a reason (read from the raw response), and the token's claims decide
 * which groups a connection may join and send to.
 */
class ConnectionTokenTest {
    /** 64 bytes, so that an HS512 token can be signed with the very same secret. */
    static final String K1 = "k1-secret-0123456789abcdef0123456789abcdef0123456789abcdef012345";
    static final String K2 = "k2-secret-0123456789abcdef0123456789abcdef";

    private static PushFixture fx;
    /** Keys k1 and k2. */
    private static Launcher node;
    /** After a rotation: k2 only. */
    private static Launcher rotated;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("tokens", "--set", "channelpush.connection-keys=k1:" + K1 + ",k2:" + K2);
        rotated = fx.node("tokens-rotated", "--set", "channelpush.connection-keys=k2:" + K2);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    static JWTClaimsSet.Builder claims(String user) {
        return new JWTClaimsSet.Builder().subject(user).expirationTime(new Date(System.currentTimeMillis() + 600_000));
    }

    static String hs(JWSAlgorithm alg, String kid, String secret, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static String hs256(String kid, String secret, JWTClaimsSet claims) throws Exception {
        return hs(JWSAlgorithm.HS256, kid, secret, claims);
    }

    /** A raw WebSocket handshake for {@code target}; the response with its body (the reason of a refusal). */
    static RawHttp.Response handshake(Launcher n, String target, String extraHeaders) throws Exception {
        return RawHttp.exchange(n.port(0), "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + n.port(0)
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n");
    }

    static void assertRefused(Launcher n, String token, String reasonPart) throws Exception {
        RawHttp.Response r = handshake(n, "/?token=" + token, "");
        assertEquals(401, r.status(), r.toString());
        assertTrue(r.body().contains(reasonPart), "reason \"" + r.body() + "\" should contain \"" + reasonPart + "\"");
        assertEquals(1, r.body().strip().lines().count(), "a one-line reason: " + r.body());
    }

    static JsonObject json(String message) {
        return JsonParser.parseString(message).getAsJsonObject();
    }

    static void assertForbidden(TestClient c, String id, String cmd) throws InterruptedException {
        JsonObject e = json(c.next());
        assertEquals("error", e.get("type").getAsString(), e.toString());
        assertEquals("forbidden", e.get("code").getAsString(), e.toString());
        assertEquals(id, e.get("id").getAsString(), e.toString());
        assertEquals(cmd, e.get("cmd").getAsString(), e.toString());
    }

    @Test
    void aValidTokenInTheQueryConnectsAndTheConnectionReceives() throws Exception {
        String t = hs256("k1", K1, claims("u-1").claim("groups", List.of("news")).build());
        TestClient c = fx.connect(node, "/?token=" + t, null);
        PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"news\",\"id\":1}");
        fx.get(node, "group_id=news&content=headline");
        assertEquals("headline", c.next());
        fx.get(node, "content=everyone");
        assertEquals("everyone", c.next());
    }

    @Test
    void aTokenInTheAuthorizationHeaderConnects() throws Exception {
        String t = hs256("k2", K2, claims("u-2").build());
        TestClient c = fx.connect(node, "/", "Bearer " + t);
        fx.get(node, "content=via-header");
        assertEquals("via-header", c.next());
        try (RawWebSocket raw = new RawWebSocket(node.port(0), 0, "Authorization: Bearer " + t + "\r\n")) {
            assertTrue(raw.responseHead.startsWith("HTTP/1.1 101"), raw.responseHead);
        }
    }

    @Test
    void aHandshakeWithoutATokenIsRefused() throws Exception {
        RawHttp.Response r = handshake(node, "/", "");
        assertEquals(401, r.status());
        assertTrue(r.body().contains("connection token is required"), r.body());
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String t = hs256("k1", K1, claims("u-3").expirationTime(new Date(System.currentTimeMillis() - 120_000)).build());
        assertRefused(node, t, "expired");
    }

    @Test
    void aTokenNotValidYetIsRefused() throws Exception {
        String t = hs256("k1", K1, claims("u-3").notBeforeTime(new Date(System.currentTimeMillis() + 300_000)).build());
        assertRefused(node, t, "not valid yet");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() throws Exception {
        String t = hs256("k1", K2, claims("u-4").build());
        assertRefused(node, t, "signature does not match");
    }

    @Test
    void bothRotationKeysAreAcceptedAndARemovedKeyIsRefused() throws Exception {
        String byK1 = hs256("k1", K1, claims("u-5").build());
        String byK2 = hs256("k2", K2, claims("u-5").build());
        fx.connect(node, "/?token=" + byK1, null);
        fx.connect(node, "/?token=" + byK2, null);
        fx.connect(rotated, "/?token=" + byK2, null);
        assertRefused(rotated, byK1, "key id is not among");
    }

    @Test
    void anUnsignedTokenIsRefused() throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"u-6\",\"exp\":" + (System.currentTimeMillis() / 1000 + 600)
                        + ",\"groups\":[\"*\"],\"send\":true}").getBytes(StandardCharsets.UTF_8)) + ".";
        assertRefused(node, none, "not signed");
    }

    @Test
    void tokensSignedWithOtherAlgorithmsAreRefused() throws Exception {
        assertRefused(node, hs(JWSAlgorithm.HS512, "k1", K1, claims("u-7").build()), "only HS256");
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        SignedJWT rs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
                claims("u-7").build());
        rs.sign(new RSASSASigner((RSAPrivateKey) gen.generateKeyPair().getPrivate()));
        assertRefused(node, rs.serialize(), "only HS256");
    }

    @Test
    void anOversizedTokenHeaderIsRefusedUnparsed() throws Exception {
        RawHttp.Response r = handshake(node, "/", "Authorization: Bearer " + "a".repeat(5000) + "\r\n");
        assertEquals(401, r.status());
        assertTrue(r.body().contains("longer than"), r.body());
    }

    @Test
    void twoTokensInOneHandshakeAreRefused() throws Exception {
        String t = hs256("k1", K1, claims("u-8").build());
        RawHttp.Response r = handshake(node, "/?token=" + t, "Authorization: Bearer " + t + "\r\n");
        assertEquals(401, r.status());
        assertTrue(r.body().contains("not both"), r.body());
    }

    @Test
    void theGroupsClaimDecidesWhichGroupsAConnectionMayJoin() throws Exception {
        String t = hs256("k1", K1, claims("u-9").claim("groups", List.of("room-1", "team-*")).build());
        TestClient c = fx.connect(node, "/?token=" + t, null);
        int groupsBefore = node.node().groupCount();
        c.send("{\"cmd\":\"add_group\",\"group_id\":\"room-2\",\"id\":\"x\"}");
        assertForbidden(c, "x", "add_group");
        assertEquals(groupsBefore, node.node().groupCount(), "a refused add_group created no group");
        fx.get(node, "group_id=room-2&content=not-for-you");
        fx.get(node, "content=marker");
        assertEquals("marker", c.next(), "no membership in room-2");
        PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"room-1\",\"id\":\"a\"}");
        PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"team-blue\",\"id\":\"b\"}");
        fx.get(node, "group_id=team-blue&content=blue");
        assertEquals("blue", c.next());
    }

    @Test
    void sendToGroupNeedsTheSendClaimAndTheGroup() throws Exception {
        TestClient reader = fx.connect(node, "/?token=" + hs256("k1", K1, claims("reader")
                .claim("groups", List.of("chat", "other")).claim("send", false).build()), null);
        TestClient writer = fx.connect(node, "/?token=" + hs256("k1", K1, claims("writer")
                .claim("groups", List.of("chat")).claim("send", true).build()), null);
        PushFixture.command(reader, "{\"cmd\":\"add_group\",\"group_id\":\"chat\",\"id\":1}");
        PushFixture.command(reader, "{\"cmd\":\"add_group\",\"group_id\":\"other\",\"id\":2}");
        reader.send("{\"cmd\":\"send_to_group\",\"group_id\":\"chat\",\"message\":\"from reader\",\"id\":3}");
        assertForbidden(reader, "3", "send_to_group");
        writer.send("{\"cmd\":\"send_to_group\",\"group_id\":\"other\",\"message\":\"not granted\",\"id\":4}");
        assertForbidden(writer, "4", "send_to_group");
        PushFixture.command(writer, "{\"cmd\":\"send_to_group\",\"group_id\":\"chat\",\"message\":\"hi\",\"id\":5}");
        assertEquals("hi", reader.next(), "only the writer's granted message arrives");
    }

    @Test
    void eachConnectionKeepsItsOwnIdentity() throws Exception {
        TestClient a = fx.connect(node, "/?token=" + hs256("k1", K1, claims("a").claim("groups", List.of("ga"))
                .build()), null);
        TestClient b = fx.connect(node, "/?token=" + hs256("k2", K2, claims("b").claim("groups", List.of("gb"))
                .build()), null);
        a.send("{\"cmd\":\"add_group\",\"group_id\":\"gb\",\"id\":\"1\"}");
        assertForbidden(a, "1", "add_group");
        PushFixture.command(b, "{\"cmd\":\"add_group\",\"group_id\":\"gb\",\"id\":\"2\"}");
        PushFixture.command(a, "{\"cmd\":\"add_group\",\"group_id\":\"ga\",\"id\":\"3\"}");
        b.send("{\"cmd\":\"add_group\",\"group_id\":\"ga\",\"id\":\"4\"}");
        assertForbidden(b, "4", "add_group");
    }

    @Test
    void aConnectionKeyShorterThan32BytesStopsTheStart() {
        Launcher.StartupException e = assertThrows(Launcher.StartupException.class, () -> Launcher.start(
                LauncherOptions.parse(new String[] {"--ws-port", "0", "--http-port", "0", "--channel",
                        "127.0.0.1:" + fx.daemon.port(), "--set", "channelpush.connection-keys=k1:" + "x".repeat(31)}),
                Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(PushConfig.CONNECTION_KEYS) && e.getMessage().contains("at least 32"),
                e.getMessage());
    }
}
