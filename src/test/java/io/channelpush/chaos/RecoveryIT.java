package io.channelpush.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.processes.DaemonProcess;
import io.channelpush.processes.LauncherProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's recovery after a long absence, on real processes (daemon jar, launcher-jar nodes): JSON clients away
 * for 60 s while publishes continue get, on recovering at the other node, every message they missed exactly once and
 * in order; a client whose position is older than the daemon's retention is answered {@code false}. The 60 s are
 * the scenario: that test simply takes them.
 */
class RecoveryIT {
    private static final Duration AWAY = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final HttpClient http = new HttpClient();

    @BeforeEach
    void start() throws Exception {
        http.start();
    }

    @AfterEach
    void stop() throws Exception {
        http.stop();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void jsonClientsAwayForSixtySecondsRecoverEverythingTheyMissedOnceAndInOrderAtTheOtherNode() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(Files.createDirectories(dir.resolve("data")));
             LauncherProcess a = LauncherProcess.start("node-a", List.of("--channel", daemon.address()), null);
             LauncherProcess b = LauncherProcess.start("node-b", List.of("--channel", daemon.address()), null)) {
            Timeline timeline = new Timeline();
            try (Fleet fleet = new Fleet(http, List.of(a, b), timeline);
                 Publisher pa = new Publisher("A", a.publisher(), http, timeline, 50, 15_000);
                 Publisher pb = new Publisher("B", b.publisher(), http, timeline, 50, 15_000)) {
                timeline.begin("connect");
                // 8 clients: plain ones stay as a control; the 4 JSON ones (two in g1) go away
                List<ChaosClient> clients = fleet.connect(8, Duration.ofSeconds(30));
                List<ChaosClient> leaving = clients.stream().filter(c -> c.json).toList();
                timeline.begin("before leaving");
                pa.start();
                pb.start();
                ChaosRun.await(() -> leaving.stream().allMatch(c -> c.received("A", Streams.BROADCAST).size() > 5
                                && (c.group == null || c.received("A", Streams.group(c.group)).size() > 2)),
                        Duration.ofSeconds(30), () -> "the JSON clients got no messages before leaving");
                int awayPhase = timeline.begin("away " + AWAY.toSeconds() + " s");
                leaving.forEach(fleet::goAway);
                TimeUnit.SECONDS.sleep(AWAY.toSeconds()); // the scenario: 60 s away while publishes go on
                timeline.begin("recovering at the other node");
                for (ChaosClient c : leaving) {
                    fleet.comeBack(c, c.node().equals("node-a") ? 1 : 0).get(10, TimeUnit.SECONDS);
                }
                ChaosRun.await(() -> leaving.stream().allMatch(c -> !c.recoveries().isEmpty() && c.settled()),
                        Duration.ofSeconds(30), () -> "not recovered within 30 s: " + leaving);
                timeline.begin("after recovery");
                int oks = pa.okCount();
                ChaosRun.await(() -> pa.okCount() > oks + 20, Duration.ofSeconds(30), () -> "no publishes after");
                timeline.begin("drain");
                pa.close();
                pb.close();
                int missed = pa.publishes().size() + pb.publishes().size();
                ChaosRun.await(() -> leaving.stream().allMatch(c -> c.received("A", Streams.BROADCAST).size()
                                >= count(pa, Streams.BROADCAST)),
                        Duration.ofSeconds(20), () -> "the recovered clients did not catch up");
                Verdict v = Verdict.judge(timeline, List.of(pa, pb), clients);
                v.print(System.out, "recovery after " + AWAY.toSeconds() + " s away (" + missed + " publishes)");
                for (ChaosClient c : leaving) {
                    RecoveryAttempt r = c.recoveries().get(0);
                    assertEquals(null, r.refused, c + ": its recovery was refused");
                    System.out.println(c + " recovered " + r.result + ", " + r.replayed
                            + " messages before \"recovered\"");
                    long missedOk = List.of(pa, pb).stream().flatMap(x -> x.publishes().stream())
                            .filter(x -> x.phase() == awayPhase && x.outcome() == Outcome.OK
                                    && Streams.followedBy(c.group).contains(x.stream())).count();
                    assertTrue(missedOk > AWAY.toSeconds() * 10, "only " + missedOk + " publishes while away");
                    assertTrue(r.replayed >= missedOk, c + " got " + r.replayed + " messages before \"recovered\","
                            + " fewer than the " + missedOk + " published ok to its streams while it was away");
                }
                assertTrue(v.passed(), () -> String.join("\n", v.failures()));
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aPositionOlderThanTheRetentionIsAnsweredFalseAndLiveMessagesFollow() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(Files.createDirectories(dir.resolve("data")),
                "--stream-max-messages", "50");
             LauncherProcess a = LauncherProcess.start("node-a", List.of("--channel", daemon.address()), null)) {
            Timeline timeline = new Timeline();
            try (Fleet fleet = new Fleet(http, List.of(a), timeline);
                 Publisher p = new Publisher("A", a.publisher(), http, timeline, 2, 15_000)) {
                List<ChaosClient> clients = fleet.connect(2, Duration.ofSeconds(30));
                ChaosClient json = clients.get(1);
                assertTrue(json.json);
                p.start();
                ChaosRun.await(() -> json.received("A", Streams.BROADCAST).size() > 3, Duration.ofSeconds(20),
                        () -> "no broadcast reached the JSON client");
                fleet.goAway(json);
                int from = p.okCount();
                // 200 more publishes, half of them broadcasts: beyond the 50 the daemon keeps
                ChaosRun.await(() -> p.okCount() > from + 200, Duration.ofSeconds(30), () -> "publishes stalled");
                fleet.comeBack(json, 0).get(10, TimeUnit.SECONDS);
                ChaosRun.await(() -> !json.recoveries().isEmpty() && json.settled(), Duration.ofSeconds(20),
                        () -> "no \"recovered\" within 20 s: " + json.recoveries());
                RecoveryAttempt r = json.recoveries().get(0);
                assertEquals(Boolean.FALSE, r.result.get(Streams.BROADCAST), "recovered " + r.result);
                int got = json.received("A", Streams.BROADCAST).size();
                ChaosRun.await(() -> json.received("A", Streams.BROADCAST).size() > got + 5, Duration.ofSeconds(20),
                        () -> "no live broadcast after the false recovery");
                p.close();
                assertFalse(json.violations().stream().findAny().isPresent(), json.violations().toString());
            }
        }
    }

    private static long count(Publisher p, String stream) {
        return p.publishes().stream().filter(x -> x.outcome() == Outcome.OK && x.stream().equals(stream)).count();
    }
}
