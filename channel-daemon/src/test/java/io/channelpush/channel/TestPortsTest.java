package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link TestPorts}: the fixture every test's servers take their ports from. */
class TestPortsTest {
    @Test
    void portsChosenBeforeAnyIsBoundAreAllDifferent() throws Exception {
        // 2,000 of the ~22,700 ports below the ephemeral range: chosen at random without the record of those handed
        // out, about 88 would repeat (birthday bound)
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            ports.add(TestPorts.freePort());
        }
        assertEquals(2_000, ports.size());
    }
}
