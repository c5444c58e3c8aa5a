package io.channelpush.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PlacementProbe} against real nats-server processes: a JetStream server of a cluster whose other members
 * never come places nothing, a standalone one places an R1 stream, and a cluster that places nothing is formed
 * again.
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
    void aClusterThatPlacesNothingIsFormedAgainAndTheFirstStopped() throws Exception {
        List<ChildProcess> formed = new ArrayList<>();
        ChildProcess c = PlacementProbe.formPlaceable(dir, 1, d -> {
            ChildProcess p = formed.isEmpty() ? lone(d.resolve("lone")) : standalone(d.resolve("one"));
            formed.add(p);
            return p;
        }, PlacementProbeTest::url, ChildProcess::close);
        try {
            assertEquals(2, formed.size());
            assertFalse(formed.get(0).alive(), "the cluster that placed nothing was stopped");
            assertTrue(c == formed.get(1) && c.alive());
        } finally {
            c.close();
        }
    }
}
