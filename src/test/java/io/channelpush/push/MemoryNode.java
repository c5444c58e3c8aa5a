package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A whole {@link PushNode} without sockets, for the delivery tests: its bus is an {@link InMemoryBus}, its clients
 * are {@link FakeWebSocket}s, and its fatal errors are recorded. {@link #close()} stops the node and fails the test
 * if any fatal error was reported. Not thread-safe to build; the node itself is.
 */
final class MemoryNode implements AutoCloseable {
    final InMemoryBus bus = new InMemoryBus();
    final PushNode node;
    private final List<String> fatal = new CopyOnWriteArrayList<>();

    /** @param settings {@code channelpush.*} settings besides the worker id, which is {@code mem} */
    MemoryNode(Map<String, String> settings) {
        this(settings, false);
    }

    /** @param busMayWait whether the bus says its publishes may block (the node then uses its publish thread) */
    MemoryNode(Map<String, String> settings, boolean busMayWait) {
        bus.mayWait = busMayWait;
        Map<String, String> all = new HashMap<>(settings);
        all.put(PushConfig.WORKER_ID, "mem");
        node = new PushNode(PushConfig.load(all::get), listener -> bus,
                (worker, what, error) -> fatal.add(what + ": " + error));
    }

    /** Opens a connection as the endpoint's onOpen does; the fake's close runs the node's onClose. */
    PushSession open(FakeWebSocket ws) {
        PushSession s = node.open(ws.session());
        ws.onClose(f -> node.closed(s));
        return s;
    }

    @Override
    public void close() {
        node.close();
        assertEquals(List.of(), fatal);
    }
}
