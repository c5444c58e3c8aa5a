package io.channelpush.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.processes.JetStreamCluster;
import io.channelpush.processes.LauncherProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's chaos test on NATS JetStream: three {@code nats-server -js} processes in a cluster, node A configured
 * with s1 first and node B with s2 first, streams on 3 replicas (README, "Scale-out with NATS"), the same 200 clients and publishes as
 * {@link ChaosIT}, while s1 (node A's server) is stopped for 10 s, killed and restarted on its store, and node A is
 * killed. Prints the counts.
 */
// On nats-server 2.9.10 it failed 1 run in 8: a replica kept other messages at some sequences, and a node reading it
// delivered them instead of the acknowledged ones. The tests run 2.10 or newer since (README, "Chaos tests in mvn
// verify"), where it passed 12 runs of 12.
class NatsChaosIT {
    /** As the README advises on a cluster: every message on 3 servers, so a server's death loses no stream. */
    private static final String REPLICAS = "channelpush.nats-stream-replicas=3";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void nothingAnsweredOkIsLostThroughAServerStallAServerCrashAndANodeCrash() throws Exception {
        HttpClient http = new HttpClient();
        http.setMaxConnectionsPerDestination(8);
        http.start();
        try (JetStreamCluster nats = JetStreamCluster.start(3, dir);
             LauncherProcess a = LauncherProcess.start("node-a", List.of("--nats", nats.urlsStartingWith(0),
                     "--set", REPLICAS), dir.resolve("node-a.log"));
             LauncherProcess b = LauncherProcess.start("node-b", List.of("--nats", nats.urlsStartingWith(1),
                     "--set", REPLICAS), dir.resolve("node-b.log"))) {
            ChaosRun.Bus s1 = new ChaosRun.Bus() {
                @Override
                public String name() {
                    return "nats-server s1";
                }

                @Override
                public void pause() throws Exception {
                    nats.server(0).pause();
                }

                @Override
                public void resume() throws Exception {
                    nats.server(0).resume();
                }

                @Override
                public void killAndRestart() throws Exception {
                    nats.killAndRestart(0);
                }

                @Override
                public String tail() {
                    return nats.server(0).tail(40);
                }
            };
            Verdict v = new ChaosRun(http, List.of(a, b), s1, 200).run();
            v.print(System.out, "chaos run on a 3-server JetStream cluster");
            assertTrue(v.passed(), () -> "chaos run on NATS JetStream:\n" + String.join("\n", v.failures()));
        } finally {
            http.stop();
        }
    }
}
