package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void everyServerOfAStartedClusterNamesTheOneMetaLeader() throws Exception {
        try (NatsTestCluster c = NatsTestCluster.startAll(dir)) {
            // a follower logs the leader it learnt when its cluster loop takes the change, which can come moments
            // after the cluster placed its stream (one full run read s2's log before it had)
            NatsStreamTest.await(() -> !c.leaders().contains("no meta leader named"),
                    "every server names its meta leader");
            String leaders = c.leaders();
            String[] views = leaders.split("; ");
            assertEquals(3, views.length, leaders);
            String leader = null;
            for (int i = 0; i < 3; i++) {
                assertTrue(views[i].startsWith("s" + i + ": "), leaders);
                if (views[i].endsWith("Self is new JetStream cluster metadata leader")) {
                    assertNull(leader, "two servers lead: " + leaders);
                    leader = "s" + i;
                }
            }
            assertNotNull(leader, "no server says it leads: " + leaders);
            for (String view : views) {
                assertTrue(view.endsWith("Self is new JetStream cluster metadata leader")
                        || view.contains("new metadata leader: " + leader + "/"),
                        "a server names another leader: " + leaders);
            }
        }
    }
}
