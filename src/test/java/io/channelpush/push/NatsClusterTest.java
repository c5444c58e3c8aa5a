package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two NATS servers in a cluster, a node on each: broadcasts, targeted pushes and group messages cross between the
 * servers, and when one server dies its node moves to the other within 2 s and delivery resumes.
 */
class NatsClusterTest {
    private static final Duration FAILOVER_LIMIT = Duration.ofSeconds(2);

    @Test
    void messagesCrossServersAndANodeWhoseServerDiesMovesToTheOther() throws Exception {
        int route1 = NatsServerProcess.freePort();
        NatsServerProcess s1 = NatsServerProcess.start("s1", NatsServerProcess.freePort(), route1);
        try (NatsServerProcess s2 = NatsServerProcess.start("s2", NatsServerProcess.freePort(),
                NatsServerProcess.freePort(), route1);
             PushFixture fx = PushFixture.withoutBus()) {
            Launcher a = fx.natsNode("node-a", s1.url() + "," + s2.url());
            Launcher b = fx.natsNode("node-b", s2.url() + "," + s1.url());
            awaitInterestCrosses(s1, s2);
            awaitInterestCrosses(s2, s1);

            TestClient onA = fx.connect(a);
            TestClient onB = fx.connect(b);
            assertEquals("ok", fx.get(a, "content=from-a").getContentAsString());
            assertEquals("from-a", onA.next());
            assertEquals("from-a", onB.next());
            fx.get(b, "to_worker_id=node-a&to_connection_id=" + onA.connectionId + "&content=b-to-a");
            assertEquals("b-to-a", onA.next());
            PushFixture.command(onA, "{\"cmd\":\"add_group\",\"group_id\":\"across\",\"id\":1}");
            onB.send("{\"cmd\":\"send_to_group\",\"group_id\":\"across\",\"message\":\"to the group\"}");
            assertEquals("to the group", onA.next());
            // NATS may make a publisher wait: the command went to node B's publish thread, not the I/O thread
            assertTrue(b.node().publishDispatch().busMayWait());
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("channel-push-publish-node-b")), "node B's publish thread runs");

            s1.kill();
            long killed = System.nanoTime();
            long firstReceipt = publishOnUntilReceived(fx, b, onA, killed + TimeUnit.SECONDS.toNanos(10));
            Duration failover = Duration.ofNanos(firstReceipt - killed);
            System.out.println("NATS failover: the first broadcast published on node B after s1 was killed reached "
                    + "node A after " + failover.toMillis() + " ms");
            assertTrue(failover.compareTo(FAILOVER_LIMIT) <= 0, "failover took " + failover.toMillis() + " ms");
            assertTrue(a.node().busConnected());
            assertEquals(1, a.node().metrics().channelReconnects());

            fx.get(b, "to_worker_id=node-a&to_connection_id=" + onA.connectionId + "&content=b-to-a-again");
            assertEquals("b-to-a-again", onA.next());
            onB.send("{\"cmd\":\"send_to_group\",\"group_id\":\"across\",\"message\":\"still a group\"}");
            assertEquals("still a group", onA.next());
            onB.messages.clear();
            assertEquals("ok", fx.get(a, "content=a-again").getContentAsString());
            assertEquals("a-again", onB.next());
        } finally {
            s1.close();
        }
    }

    /**
     * Publishes numbered broadcasts through {@code publisher} until {@code client} receives one, each followed by a
     * short wait for it; returns the time of the first receipt.
     */
    private static long publishOnUntilReceived(PushFixture fx, Launcher publisher, TestClient client, long deadline)
            throws Exception {
        for (int i = 0; ; i++) {
            assertTrue(System.nanoTime() < deadline, "no broadcast reached the client within the deadline");
            fx.get(publisher, "content=after-kill-" + i);
            String m = client.messages.poll(25, TimeUnit.MILLISECONDS);
            if (m != null) {
                long at = System.nanoTime();
                assertTrue(m.startsWith("after-kill-"), m);
                return at;
            }
        }
    }

    /**
     * Waits until a message published on {@code publisherSide} reaches a subscriber on {@code subscriberSide}. The
     * probe subscription is made after the nodes' subscriptions on the same server, and a server sends interest over
     * a route in order, so the nodes' interest has crossed too when the probe arrives.
     */
    private static void awaitInterestCrosses(NatsServerProcess subscriberSide, NatsServerProcess publisherSide)
            throws Exception {
        try (Connection sub = Nats.connect(subscriberSide.url()); Connection pub = Nats.connect(publisherSide.url())) {
            Subscription probe = sub.subscribe("test.probe");
            sub.flush(Duration.ofSeconds(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (probe.nextMessage(Duration.ofMillis(20)) == null) {
                assertTrue(System.nanoTime() < deadline, "the route between " + subscriberSide.name + " and "
                        + publisherSide.name + " never carried a message:\n" + subscriberSide.output());
                pub.publish("test.probe", "?".getBytes(StandardCharsets.UTF_8));
                pub.flush(Duration.ofSeconds(5));
            }
        }
    }
}
