package io.channelpush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The launcher's choice of bus on the command line. */
class LauncherOptionsTest {
    @Test
    void natsServersReplaceTheChannelDaemon() {
        LauncherOptions o = LauncherOptions.parse("--nats", "nats://127.0.0.1:4222,nats://127.0.0.1:4223");
        assertEquals("nats://127.0.0.1:4222,nats://127.0.0.1:4223", o.nats());
        assertNull(o.channel());
    }

    @Test
    void withoutABusOptionTheDaemonIsInProcess() {
        LauncherOptions o = LauncherOptions.parse();
        assertNull(o.nats());
        assertNull(o.channel());
        assertEquals(2206, o.channelPort());
    }

    @Test
    void natsAndChannelTogetherAreAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LauncherOptions.parse("--channel", "127.0.0.1:2206", "--nats", "nats://127.0.0.1:4222"));
        assertTrue(e.getMessage().contains("--channel and --nats"), e.getMessage());
    }

    @Test
    void aBadNatsUrlIsAnErrorNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LauncherOptions.parse("--nats", "127.0.0.1:4222"));
        assertTrue(e.getMessage().startsWith("--nats: not a NATS server URL"), e.getMessage());
    }
}
