package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PushConfigTest {
    private static PushConfig config(Map<String, String> initParams) {
        return PushConfig.load(initParams::get);
    }

    @Test
    void openPublisherIsWarnedAboutOnlyOffLoopbackAndWithoutKeys() {
        PushConfig open = config(Map.of(PushConfig.WORKER_ID, "w1"));
        String warning = open.openPublisherWarning("0.0.0.0");
        assertNotNull(warning);
        assertTrue(warning.startsWith("SECURITY:") && warning.contains(PushConfig.PUBLISH_KEYS), warning);
        assertNull(open.openPublisherWarning("127.0.0.1"));
        assertNull(config(Map.of(PushConfig.PUBLISH_KEYS, "k1:s")).openPublisherWarning("0.0.0.0"));
        assertNull(config(Map.of(PushConfig.PUBLISH_TOKENS, "t")).openPublisherWarning("0.0.0.0"));
    }

    @Test
    void malformedSettingsNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(Map.of(PushConfig.MAX_CONNECTIONS, "many")));
        assertTrue(e.getMessage().contains(PushConfig.MAX_CONNECTIONS), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.WORKER_ID, "two words")));
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.DEMO_ENABLED, "yes")));
        for (String bad : new String[] {"-1", "1001", "soon"}) {
            IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                    () -> config(Map.of(PushConfig.WRITE_DELAY_MS, bad)));
            assertTrue(d.getMessage().contains(PushConfig.WRITE_DELAY_MS), d.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> config(Map.of(PushConfig.PUBLISHER_ON_IO_THREAD, "maybe")));
    }

    @Test
    void messagesGoOutAtOnceAndPublishesOnTheIoThreadUnlessConfiguredOtherwise() {
        PushConfig defaults = config(Map.of());
        assertEquals(0, defaults.writeDelayMillis());
        assertTrue(defaults.publisherOnIoThread());
        PushConfig set = config(Map.of(PushConfig.WRITE_DELAY_MS, "60", PushConfig.PUBLISHER_ON_IO_THREAD, "false"));
        assertEquals(60, set.writeDelayMillis());
        assertFalse(set.publisherOnIoThread());
    }
}
