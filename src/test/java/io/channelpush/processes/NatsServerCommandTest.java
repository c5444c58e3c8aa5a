package io.channelpush.processes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which nats-server versions the tests accept, without running one. */
class NatsServerCommandTest {
    @Test
    void versionsFrom2Point10OnAreAcceptedAndOlderOrUnreadableOnesAreNot() {
        assertTrue(NatsServerCommand.recent("2.10.27"));
        assertTrue(NatsServerCommand.recent("2.11.0"));
        assertTrue(NatsServerCommand.recent("3.0.0"));
        assertFalse(NatsServerCommand.recent("2.9.10"), "Debian 12's");
        assertFalse(NatsServerCommand.recent("1.4.1"));
        assertFalse(NatsServerCommand.recent("of unknown version (boom)"));
    }
}
