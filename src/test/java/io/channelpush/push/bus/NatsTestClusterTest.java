package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link NatsTestCluster} on real servers: what it says of a cluster's meta leader when one places nothing. */
@Timeout(120)
class NatsTestClusterTest {
    @TempDir
    Path dir;

    @Test
    void aStartedClusterNamesEachServersMetaLeader() throws Exception {
        try (NatsTestCluster c = NatsTestCluster.startAll(dir)) {
            String leaders = c.leaders();
            String[] views = leaders.split("; ");
            assertEquals(3, views.length, leaders);
            for (int i = 0; i < 3; i++) {
                assertTrue(views[i].startsWith("s" + i + ": ") && views[i].contains("metadata leader"), leaders);
            }
        }
    }
}
