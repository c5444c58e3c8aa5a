package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node's bus listener before the node has stored its bus: the bus starts connecting while it is being built, so
 * its threads may report a connection or a held worker id first. Without sockets.
 */
class NodeBusListenerTest {
    @Test
    void eventsThatArriveBeforeTheNodeHasItsBusAreLoggedWithoutKillingTheBusThread() {
        List<Throwable> deaths = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        NodeBusListener listener = new NodeBusListener("w", new PushMetrics(), () -> null, missed::add,
                (thread, error) -> deaths.add(error), deaths::add);
        assertDoesNotThrow(() -> listener.onConnected(false));
        assertDoesNotThrow(() -> listener.onExclusiveHeld("w"));
        assertDoesNotThrow(() -> listener.onExclusiveRefused("w", "held by another"));
        assertDoesNotThrow(() -> listener.onConnected(true));
        assertEquals(List.of(), deaths);
        assertEquals(List.of(), missed, "a node still being built copies the users' groups at its start anyway");
    }
}
