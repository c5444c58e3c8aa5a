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

    @Test
    void aMisspeltSetIsRefusedWithTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LauncherOptions.parse("--set", "channelpush.max-conections=5"));
        assertTrue(e.getMessage().startsWith("unknown setting --set channelpush.max-conections "), e.getMessage());
        assertTrue(e.getMessage().contains("channelpush.max-connections"), e.getMessage());
        assertEquals("5", LauncherOptions.parse("--set", "channelpush.max-connections=5").settings()
                .get("channelpush.max-connections"));
    }

    @Test
    void twoFlagsForTheSameSettingAreAnError() {
        assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--channel", "127.0.0.1:2206",
                "--set", "channelpush.bus=nats://127.0.0.1:4222"));
        assertThrows(IllegalArgumentException.class, () -> LauncherOptions.parse("--worker-id", "a",
                "--set", "channelpush.worker-id=b"));
    }
}
