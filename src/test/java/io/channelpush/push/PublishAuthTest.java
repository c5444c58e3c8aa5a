package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.push.auth.PublishSigner;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The publisher with keys configured: signed requests pass, everything else gets 401 and publishes nothing. */
class PublishAuthTest {
    private static PushFixture fx;
    private static Launcher node;
    private static TestClient watcher;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("auth-node", "--set", "channelpush.publish-keys=k1:secret-one-0123456789abcdefghijklmnopq,k2:secret-two-0123456789abcdefghijklmnopq",
                "--set", "channelpush.publish-tokens=tok-123");
        watcher = fx.connect(node);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static String nonce() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static ContentResponse signedGet(String keyId, String secret, String query, long ts, String nonce)
            throws Exception {
        Map<String, String> h = PublishSigner.headers(keyId, secret, "GET", "/", query, new byte[0], ts, nonce);
        return send(fx.http.newRequest("http://127.0.0.1:" + node.port(1) + "/?" + query), h);
    }

    private static ContentResponse send(Request r, Map<String, String> headers) throws Exception {
        Request req = r.timeout(5, TimeUnit.SECONDS);
        for (Map.Entry<String, String> e : headers.entrySet()) {
            req = req.headers(hs -> hs.put(e.getKey(), e.getValue()));
        }
        return req.send();
    }

    /** Nothing was delivered before this marker (published with a token). */
    private static void nothingDelivered() throws Exception {
        String marker = "marker-" + nonce();
        ContentResponse r = send(fx.http.newRequest("http://127.0.0.1:" + node.port(1) + "/?content=" + marker),
                Map.of("Authorization", "Bearer tok-123"));
        assertEquals(200, r.getStatus());
        assertEquals(marker, watcher.next(), "a refused publish was delivered");
    }

    private static void assertRefused(ContentResponse r, String reasonPart) throws Exception {
        assertEquals(401, r.getStatus(), r.getContentAsString());
        assertTrue(r.getContentAsString().contains(reasonPart), r.getContentAsString());
        nothingDelivered();
    }

    @Test
    void signedPublishIsAcceptedWithEitherActiveKey() throws Exception {
        assertEquals("ok", signedGet("k1", "secret-one-0123456789abcdefghijklmnopq", "content=signed%20one", now(), nonce()).getContentAsString());
        assertEquals("signed one", watcher.next());
        assertEquals("ok", signedGet("k2", "secret-two-0123456789abcdefghijklmnopq", "content=signed-two", now(), nonce()).getContentAsString());
        assertEquals("signed-two", watcher.next());
    }

    @Test
    void parameterOrderAndEncodingDoNotMatterToTheSignature() throws Exception {
        // signed over the canonical form; sent with another order and '+' for space
        String ts = Long.toString(now());
        String n = nonce();
        String sig = PublishSigner.signature("secret-one-0123456789abcdefghijklmnopq",
                PublishSigner.stringToSign("GET", "/", "to_worker_id=auth-node&content=a%20b&to_connection_id="
                        + watcher.connectionId, new byte[0], Long.parseLong(ts), n));
        ContentResponse r = send(fx.http.newRequest("http://127.0.0.1:" + node.port(1) + "/?content=a+b&to_connection_id="
                + watcher.connectionId + "&to_worker_id=auth-node"), Map.of(PublishSigner.KEY_ID, "k1",
                PublishSigner.TIMESTAMP, ts, PublishSigner.NONCE, n, PublishSigner.SIGNATURE, sig));
        assertEquals("ok", r.getContentAsString());
        assertEquals("a b", watcher.next());
    }

    @Test
    void signedPostCoversTheBody() throws Exception {
        byte[] body = "content=posted".getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = PublishSigner.headers("k1", "secret-one-0123456789abcdefghijklmnopq", "POST", "/", null, body, now(), nonce());
        Request post = fx.http.POST("http://127.0.0.1:" + node.port(1) + "/")
                .body(new BytesRequestContent("application/x-www-form-urlencoded", body));
        assertEquals("ok", send(post, h).getContentAsString());
        assertEquals("posted", watcher.next());
        byte[] tampered = "content=tampered".getBytes(StandardCharsets.UTF_8);
        Request post2 = fx.http.POST("http://127.0.0.1:" + node.port(1) + "/")
                .body(new BytesRequestContent("application/x-www-form-urlencoded", tampered));
        Map<String, String> h2 = PublishSigner.headers("k1", "secret-one-0123456789abcdefghijklmnopq", "POST", "/", null, body, now(), nonce());
        assertRefused(send(post2, h2), "signature does not match");
    }

    @Test
    void wrongSignatureIsRefused() throws Exception {
        assertRefused(signedGet("k1", "not-the-secret", "content=x", now(), nonce()), "signature does not match");
    }

    @Test
    void unknownKeyIsRefused() throws Exception {
        assertRefused(signedGet("k9", "secret-one-0123456789abcdefghijklmnopq", "content=x", now(), nonce()), "unknown key id");
    }

    @Test
    void expiredAndFutureTimestampsAreRefused() throws Exception {
        assertRefused(signedGet("k1", "secret-one-0123456789abcdefghijklmnopq", "content=x", now() - 301, nonce()), "timestamp");
        assertRefused(signedGet("k1", "secret-one-0123456789abcdefghijklmnopq", "content=x", now() + 301, nonce()), "timestamp");
    }

    @Test
    void replayedNonceIsRefused() throws Exception {
        long ts = now();
        String n = nonce();
        assertEquals("ok", signedGet("k1", "secret-one-0123456789abcdefghijklmnopq", "content=once", ts, n).getContentAsString());
        assertEquals("once", watcher.next());
        assertRefused(signedGet("k1", "secret-one-0123456789abcdefghijklmnopq", "content=once", ts, n), "replayed");
    }

    @Test
    void missingSignatureIsRefused() throws Exception {
        assertRefused(fx.get(node, "content=unsigned"), "missing signature");
    }

    @Test
    void bearerTokenIsAcceptedAndAWrongOneRefused() throws Exception {
        assertRefused(send(fx.http.newRequest("http://127.0.0.1:" + node.port(1) + "/?content=x"),
                Map.of("Authorization", "Bearer nope")), "bearer token not accepted");
        nothingDelivered();
    }

    @Test
    void aSignatureOverARepeatedParameterCannotBeReorderedIntoAnotherPublish() throws Exception {
        long ts = now();
        String nonce = nonce();
        // signed over content=A&content=B: sorting made it valid for content=B&content=A too
        Map<String, String> h = PublishSigner.headers("k1", "secret-one-0123456789abcdefghijklmnopq", "GET", "/", "content=A&content=B",
                new byte[0], ts, nonce);
        // the signature is valid for the reordered query; the repeated parameter is what refuses it
        ContentResponse r = send(fx.http.newRequest("http://127.0.0.1:" + node.port(1) + "/?content=B&content=A"), h);
        assertEquals(400, r.getStatus(), r.getContentAsString());
        assertTrue(r.getContentAsString().contains("content is given 2 times"), r.getContentAsString());
        nothingDelivered();
    }

    @Test
    void aFullReplayCacheAnswers429WithRetryAfterOnBothPaths() throws Exception {
        for (String onIoThread : new String[] {"true", "false"}) {
            Launcher small = fx.node("auth-small-" + onIoThread, "--set", "channelpush.publish-keys=k1:secret-one-0123456789abcdefghijklmnopq",
                    "--set", PushConfig.PUBLISH_REPLAY_CACHE_NONCES + "=2",
                    "--set", PushConfig.PUBLISHER_ON_IO_THREAD + "=" + onIoThread);
            // to a group nobody joined: the other tests' watcher shares the bus
            String query = "group_id=nobody&content=x";
            String url = "http://127.0.0.1:" + small.port(1) + "/?" + query;
            long ts = now();
            for (int i = 0; i < 2; i++) {
                assertEquals(200, send(fx.http.newRequest(url), PublishSigner.headers("k1", "secret-one-0123456789abcdefghijklmnopq", "GET", "/",
                        query, new byte[0], ts, nonce())).getStatus());
            }
            ContentResponse full = send(fx.http.newRequest(url), PublishSigner.headers("k1", "secret-one-0123456789abcdefghijklmnopq", "GET", "/",
                    query, new byte[0], ts, nonce()));
            assertEquals(429, full.getStatus(), full.getContentAsString());
            long retry = Long.parseLong(full.getHeaders().get("Retry-After"));
            // room comes back when timestamp ts leaves the ±30 s window
            assertTrue(retry >= 1 && retry <= 31, "Retry-After " + retry);
            assertTrue(full.getContentAsString().contains("retry in " + retry + " s"), full.getContentAsString());
        }
    }
}
