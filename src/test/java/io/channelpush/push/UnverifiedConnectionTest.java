package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.push.auth.ConnectionIdentity;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The second line of defence behind {@link HandshakeFilter}: with connection keys set, a connection that reaches
 * the node without a verified identity (a container that upgraded it without running the filter) is closed with
 * 1008 before its welcome line. A whole node without sockets ({@link InMemoryBus}, {@link FakeWebSocket}).
 */
class UnverifiedConnectionTest {
    private final List<String> fatal = new CopyOnWriteArrayList<>();
    private final PushNode node = new PushNode(PushConfig.load(Map.of(PushConfig.WORKER_ID, "keys",
            PushConfig.CONNECTION_KEYS, "k1:0123456789abcdef0123456789abcdef")::get),
            listener -> new InMemoryBus(), (worker, what, error) -> fatal.add(what + ": " + error));

    @AfterEach
    void stop() {
        node.close();
        assertEquals(List.of(), fatal);
    }

    @Test
    void aConnectionWithoutIdentityIsClosedWith1008AndNotWelcomed() {
        FakeWebSocket ws = new FakeWebSocket();
        ws.completeAll(null);
        PushSession s = node.open(ws.session(), null);
        PushFixture.await(() -> ws.closeReason() != null, "the connection was not closed");
        node.closed(s); // as the container's onClose
        assertEquals(1008, ws.closeReason().getCloseCode().getCode());
        assertTrue(ws.texts().stream().noneMatch(t -> t.contains("connected")), "welcomed: " + ws.texts());
    }

    @Test
    void aConnectionWithItsIdentityIsWelcomed() {
        FakeWebSocket ws = new FakeWebSocket();
        ws.completeAll(null);
        PushSession s = node.open(ws.session(), new ConnectionIdentity("u1", List.of("g"), false));
        ws.onClose(f -> node.closed(s));
        PushFixture.await(() -> ws.texts().stream().anyMatch(t -> t.contains("connected")), "no welcome");
        assertEquals("u1", s.identity.userId());
        assertTrue(ws.isOpen());
    }
}
