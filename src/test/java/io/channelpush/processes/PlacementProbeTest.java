package io.channelpush.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PlacementProbe} against real nats-server processes: a JetStream server of a cluster whose other members
 * never come places nothing, a standalone one places an R1 stream, clusters not formed or that place nothing are
 * formed again until one does, a row of them that never does fails, and {@link JetStreamCluster} tells each
 * server's view of its meta group (printed with a cluster that places nothing).
 */
@Timeout(120)
class PlacementProbeTest {
    @TempDir
    Path dir;

    /** A JetStream server in a cluster whose only route leads nowhere: it never has a meta leader. */
    private static ChildProcess lone(Path dir) throws Exception {
        ChildProcess p = NatsServerCommand.of("lone", ChildProcess.freePort()).jetStream(Files.createDirectories(dir))
                .cluster("channelpush-probe-test", ChildProcess.freePort(), ChildProcess.freePort()).start(null);
        p.awaitLine("Server is ready", Duration.ofSeconds(10));
        return p;
    }

    private static ChildProcess standalone(Path dir) throws Exception {
        ChildProcess p = NatsServerCommand.of("standalone", ChildProcess.freePort())
                .jetStream(Files.createDirectories(dir)).start(null);
        p.awaitLine("Server is ready", Duration.ofSeconds(10));
        return p;
    }

    private static String url(ChildProcess p) {
        String port = p.linesWith("Listening for client connections on").get(0).replaceAll(".*:", "");
        return "nats://127.0.0.1:" + port.trim();
    }

    @Test
    void aServerWithoutMetaLeaderPlacesNothingAndAStandaloneOnePlacesAnR1Stream() throws Exception {
        try (ChildProcess lone = lone(dir.resolve("lone")); ChildProcess one = standalone(dir.resolve("one"))) {
            String failure = PlacementProbe.failure(url(lone), 1, Duration.ofSeconds(3));
            assertTrue(failure != null && !failure.isEmpty(), "placed on a server without a meta leader");
            assertNull(PlacementProbe.failure(url(one), 1, Duration.ofSeconds(10)));
            assertNull(PlacementProbe.failure(url(one), 1, Duration.ofSeconds(10)), "the probe deletes its stream");
        }
    }

    @Test
    void clustersNotFormedOrThatPlaceNothingAreFormedAgainAndStoppedUntilOnePlaces() throws Exception {
        List<ChildProcess> formed = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        ChildProcess c = PlacementProbe.formPlaceable(dir, 1, d -> {
            dirs.add(d);
            if (dirs.size() == 1) {
                throw new AssertionError("s1 not healthy within 30 s\n(its output)");
            }
            ChildProcess p = formed.isEmpty() ? lone(d.resolve("lone")) : standalone(d.resolve("one"));
            formed.add(p);
            return p;
        }, PlacementProbeTest::url, p -> "what " + p.name + " says", ChildProcess::close, Duration.ofSeconds(3),
                3);
        try {
            assertEquals(3, dirs.size());
            assertEquals(2, formed.size());
            assertFalse(formed.get(0).alive(), "the cluster that placed nothing was stopped");
            assertTrue(c == formed.get(1) && c.alive());
            assertEquals(3, Set.copyOf(dirs).size(), "each formation in a folder of its own: " + dirs);
        } finally {
            c.close();
        }
    }

    @Test
    void aRowOfClustersThatPlaceNothingFailsWithTheLastAnswerAndLeavesNoneRunning() throws Exception {
        List<ChildProcess> formed = new ArrayList<>();
        AssertionError e = assertThrows(AssertionError.class, () -> PlacementProbe.formPlaceable(dir, 1, d -> {
            ChildProcess p = lone(d.resolve("lone"));
            formed.add(p);
            return p;
        }, PlacementProbeTest::url, p -> "what " + p.name + " says", ChildProcess::close, Duration.ofSeconds(2), 2));
        assertEquals(2, formed.size());
        assertTrue(formed.stream().noneMatch(ChildProcess::alive), "a cluster that placed nothing still runs");
        assertTrue(e.getMessage().contains("2 times in a row") && e.getMessage().contains("what lone says"),
                e.getMessage());
    }

    @Test
    void aFormedClusterDescribesItsMetaGroupFromEachServer() throws Exception {
        try (JetStreamCluster c = JetStreamCluster.start(3, dir)) {
            String groups = c.metaGroups();
            String[] views = groups.split("; ");
            assertEquals(3, views.length, groups);
            int leaders = 0;
            for (int i = 0; i < 3; i++) {
                assertTrue(views[i].startsWith("s" + (i + 1) + ": leader s") && views[i].contains("cluster size 3"),
                        groups);
                if (!views[i].endsWith("replicas []")) {
                    leaders++; // only the leader lists the others
                    assertTrue(views[i].matches(".*replicas \\[s\\d, s\\d\\]"), groups);
                }
            }
            assertEquals(1, leaders, groups);
        }
    }
}
