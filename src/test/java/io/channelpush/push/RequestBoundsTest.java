package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What an upgraded handshake's request keeps, without sockets (the memory that saves, cookies and parser buffers
 * included, is measured by {@code bench handshake-memory}).
 */
class RequestBoundsTest {

    @Test
    void anUpgradedRequestKeepsOnlyTheHeadersTheWebSocketLayerReads() {
        HeaderMap h = new HeaderMap();
        h.put(Headers.HOST, "127.0.0.1");
        h.put(Headers.UPGRADE, "websocket");
        h.put(Headers.CONNECTION, "Upgrade");
        h.put(Headers.SEC_WEB_SOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==");
        h.put(Headers.SEC_WEB_SOCKET_VERSION, "13");
        h.put(Headers.ORIGIN, "https://app.example.com");
        h.put(Headers.COOKIE, "session=" + "x".repeat(8000));
        h.put(Headers.AUTHORIZATION, "Bearer secret");
        for (int i = 0; i < 50; i++) {
            h.add(new HttpString("X-Filler-" + i), "y".repeat(1000));
        }

        RequestBounds.keepOnlyWebSocketHeaders(h);

        assertEquals(Set.of(Headers.HOST, Headers.UPGRADE, Headers.CONNECTION, Headers.SEC_WEB_SOCKET_KEY,
                Headers.SEC_WEB_SOCKET_VERSION, Headers.ORIGIN), new HashSet<>(h.getHeaderNames()));
        assertEquals("127.0.0.1", h.getFirst(Headers.HOST));
    }
}
