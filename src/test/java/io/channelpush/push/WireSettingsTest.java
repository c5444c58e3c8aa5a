package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire settings of {@link PushConfig}: bounded defaults, and a value that would switch a bound off refused. */
class WireSettingsTest {

    @Test
    void wireLimitsDefaultToBoundedValues() {
        PushConfig c = PushConfig.load(Map.<String, String>of()::get);
        assertEquals(64 * 1024, c.maxHeaderBytes());
        assertEquals(100, c.maxHeaders());
        assertEquals(5_000, c.requestParseTimeoutMillis());
        assertEquals(10_000, c.readTimeoutMillis());
        assertEquals(15_000, c.requestTimeoutMillis());
        PushConfig set = PushConfig.load(Map.of(PushConfig.MAX_HEADER_BYTES, "8192",
                PushConfig.REQUEST_TIMEOUT_MS, "30000")::get);
        assertEquals(8192, set.maxHeaderBytes());
        assertEquals(30_000, set.requestTimeoutMillis());
    }

    @Test
    void zeroOrNegativeWireLimitsAreRefusedNamingTheSetting() {
        for (String name : new String[] {PushConfig.MAX_HEADER_BYTES, PushConfig.MAX_HEADERS,
                PushConfig.REQUEST_PARSE_TIMEOUT_MS, PushConfig.READ_TIMEOUT_MS, PushConfig.REQUEST_TIMEOUT_MS}) {
            for (String bad : new String[] {"0", "-1"}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> PushConfig.load(Map.of(name, bad)::get));
                assertTrue(e.getMessage().contains(name), e.getMessage());
            }
        }
    }
}
