package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.client.History;
import io.channelpush.channel.client.StreamOffset;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's protocol 2 against the real daemon (in this JVM, port 0, a data folder of its own). */
class DaemonStreamTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    static DaemonConfig config(Path dir, int port) {
        return DaemonConfig.defaults().withDataDir(dir).withPort(port).withWarmup(Duration.ZERO);
    }

    static ClientOptions client(int port, String name) {
        return ClientOptions.of("127.0.0.1", port).withClientName(name)
                .withReconnect(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    record Got(String data, StreamOffset at) {
    }

    static io.channelpush.channel.client.StreamHandler into(LinkedBlockingQueue<Got> q) {
        return (data, epoch, offset) -> q.add(new Got(new String(data, StandardCharsets.UTF_8),
                new StreamOffset(epoch, offset)));
    }

    static List<CompletableFuture<StreamOffset>> publish(ChannelClient c, String prefix, int from, int to) {
        List<CompletableFuture<StreamOffset>> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(c.publishAcked("b", ("\"" + prefix + i + "\"").getBytes(StandardCharsets.UTF_8), TIMEOUT));
        }
        return out;
    }

    private static List<StreamOffset> offsets(List<CompletableFuture<StreamOffset>> outcomes, List<Integer> which) {
        List<StreamOffset> out = new ArrayList<>();
        for (int i : which.subList(0, Math.min(5, which.size()))) {
            out.add(outcomes.get(i).join());
        }
        return out;
    }

    private static List<Integer> around(List<Integer> seen, int missing) {
        int at = 0;
        while (at < seen.size() && seen.get(at) < missing) {
            at++;
        }
        return seen.subList(Math.max(0, at - 3), Math.min(seen.size(), at + 3));
    }

    /**
     * Waits until the daemon has taken the stream subscription (its {@code resumed} gave the head): a subscribe without
     * a position starts at the head, so a publish the daemon takes before it is not the reader's. Being connected is
     * not enough: a subscribe made after the connection goes out with the client's writer, which may still be starting
     * while the test publishes (the cause of "only 0 of 300 arrived" and of missing first publishes in full runs).
     */
    static void awaitSubscribed(ChannelClient c, String channel) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.streamPosition(channel) == null && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        assertTrue(c.streamPosition(channel) != null, "the daemon never took the subscription of " + channel);
    }

    static List<StreamOffset> acked(List<CompletableFuture<StreamOffset>> fs) throws Exception {
        List<StreamOffset> out = new ArrayList<>();
        for (CompletableFuture<StreamOffset> f : fs) {
            out.add(f.get(15, TimeUnit.SECONDS));
        }
        return out;
    }

    @Test
    void acknowledgedPublishesGetConsecutiveOffsetsAndOtherChannelsNone() throws Exception {
        try (ChannelDaemon d = ChannelDaemon.start(config(TestData.freshDir(), 0));
             ChannelClient c = ChannelClient.start(client(d.port(), "pub"))) {
            List<StreamOffset> offsets = acked(publish(c, "m", 0, 1000));
            String epoch = offsets.get(0).epoch();
            for (int i = 0; i < 1000; i++) {
                assertEquals(new StreamOffset(epoch, i + 1), offsets.get(i));
            }
            assertNull(c.publishAcked("w:x", "1".getBytes(StandardCharsets.UTF_8), TIMEOUT).get(5, TimeUnit.SECONDS));
            assertEquals(0, c.pendingAcks());

            History h = c.history("b", epoch, 5, 3).get(5, TimeUnit.SECONDS);
            assertEquals(epoch, h.epoch());
            assertTrue(h.complete() && h.more());
            assertEquals(List.of(6L, 7L, 8L), h.events().stream().map(History.Event::offset).toList());
            assertEquals("\"m5\"", new String(h.events().get(0).data(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aStreamReaderGetsEveryAcknowledgedPublishExactlyOnceInOrderAcrossADaemonRestartOnTheSameDataFolder()
            throws Exception {
        Path dir = TestData.freshDir();
        ChannelDaemon d = ChannelDaemon.start(config(dir, TestPorts.freePort())); // restarted on it
        int port = d.port();
        LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
        StreamResumeTest.Gaps gaps = new StreamResumeTest.Gaps();
        ReconnectTest.Events pubEvents = new ReconnectTest.Events();
        try (ChannelClient sub = ChannelClient.start(client(port, "sub"), gaps);
             ChannelClient pub = ChannelClient.start(client(port, "pub"), pubEvents)) {
            sub.onStream("b", into(got));
            awaitSubscribed(sub, "b");
            List<StreamOffset> acks = new ArrayList<>(acked(publish(pub, "m", 0, 300)));
            List<Got> seen = new ArrayList<>();
            while (seen.size() < 300) {
                Got g = got.poll(10, TimeUnit.SECONDS);
                assertTrue(g != null, "only " + seen.size() + " of 300 arrived before the restart");
                seen.add(g);
            }

            d.close();
            assertTrue(pubEvents.lost.await(5, TimeUnit.SECONDS));
            // published while the daemon is down: held by the client, written once it is back, acknowledged
            List<CompletableFuture<StreamOffset>> during = publish(pub, "m", 300, 600);
            d = ChannelDaemon.start(config(dir, port));
            acks.addAll(acked(during));
            acks.addAll(acked(publish(pub, "m", 600, 900)));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (seen.size() < 900 && System.nanoTime() < deadline) {
                Got g = got.poll(100, TimeUnit.MILLISECONDS);
                if (g != null) {
                    seen.add(g);
                }
            }
            assertNull(got.poll(200, TimeUnit.MILLISECONDS), "more than the 900 publishes arrived");
            assertEquals(900, seen.size(), "received " + seen.size() + " of 900");
            String epoch = acks.get(0).epoch();
            for (int i = 0; i < 900; i++) {
                assertEquals(new StreamOffset(epoch, i + 1), acks.get(i),
                        "a restart on the same folder keeps the epoch");
                assertEquals(new Got("\"m" + i + "\"", acks.get(i)), seen.get(i));
            }
            assertTrue(gaps.gaps.isEmpty(), "no gap on the same data folder: " + gaps.gaps);
        } finally {
            d.close();
        }
    }

    @Test
    void aDaemonRestartedOnANewDataFolderIsReportedAsAGapAndTheNewEpochIsRead() throws Exception {
        ChannelDaemon d = ChannelDaemon.start(config(TestData.freshDir(), TestPorts.freePort()));
        int port = d.port();
        LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
        StreamResumeTest.Gaps gaps = new StreamResumeTest.Gaps();
        try (ChannelClient sub = ChannelClient.start(client(port, "sub"), gaps);
             ChannelClient pub = ChannelClient.start(client(port, "pub"))) {
            sub.onStream("b", into(got));
            awaitSubscribed(sub, "b");
            StreamOffset first = acked(publish(pub, "old", 0, 3)).get(2);
            for (int i = 0; i < 3; i++) {
                assertEquals("\"old" + i + "\"", got.poll(5, TimeUnit.SECONDS).data());
            }
            d.close();
            d = ChannelDaemon.start(config(TestData.freshDir(), port));
            StreamOffset next = acked(publish(pub, "new", 0, 1)).get(0);
            assertNotEquals(first.epoch(), next.epoch(), "a new data folder starts a new epoch");
            assertEquals("b@" + next.epoch(), gaps.gaps.poll(10, TimeUnit.SECONDS));
            assertEquals(new Got("\"new0\"", next), got.poll(5, TimeUnit.SECONDS));
            assertNull(got.poll(200, TimeUnit.MILLISECONDS));
        } finally {
            d.close();
        }
    }

    @Test
    void underAStreamOfPublishesAcrossADaemonRestartAckedOnesArriveOnceInOrderRefusedOnesNeverUnknownOnesAtMostOnce()
            throws Exception {
        Path dir = TestData.freshDir();
        ChannelDaemon d = ChannelDaemon.start(config(dir, TestPorts.freePort())); // restarted on it
        int port = d.port();
        LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();
        int total = 3000;
        List<CompletableFuture<StreamOffset>> outcomes = new ArrayList<>();
        try (ChannelClient sub = ChannelClient.start(client(port, "sub"));
             ChannelClient pub = ChannelClient.start(client(port, "pub"))) {
            sub.onStream("b", into(got));
            awaitSubscribed(sub, "b");
            assertTrue(pub.awaitConnected(Duration.ofSeconds(5)));
            java.util.concurrent.atomic.AtomicBoolean refusal = new java.util.concurrent.atomic.AtomicBoolean();
            boolean down = false;
            long downSince = 0;
            // at least `total` publishes, and on until the daemon is back
            for (int i = 0; i < total || down; i++) {
                CompletableFuture<StreamOffset> f = pub.publishAcked("b",
                        ("\"m" + i + "\"").getBytes(StandardCharsets.UTF_8), Duration.ofMillis(500));
                f.whenComplete((o, e) -> refusal.compareAndSet(false,
                        e instanceof io.channelpush.channel.client.ChannelUnavailableException));
                outcomes.add(f);
                if (i == total / 3) {
                    f.get(5, TimeUnit.SECONDS);
                    d.close(); // publishes keep coming while the daemon is down, until some are refused
                    down = true;
                    downSince = System.nanoTime();
                } else if (down && (refusal.get() || System.nanoTime() - downSince > TimeUnit.SECONDS.toNanos(5))) {
                    d = ChannelDaemon.start(config(dir, port));
                    down = false;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // a steady pace, not a synchronization
            }
            List<Integer> acked = new ArrayList<>();
            List<Integer> refused = new ArrayList<>();
            int unknown = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                try {
                    outcomes.get(i).get(10, TimeUnit.SECONDS);
                    acked.add(i);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof io.channelpush.channel.client.OutcomeUnknownException) {
                        unknown++;
                    } else {
                        refused.add(i);
                    }
                }
            }
            // every acked one arrives; wait for the last of them, then for nothing more
            List<Integer> seen = new ArrayList<>();
            int last = acked.get(acked.size() - 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while ((seen.isEmpty() || seen.get(seen.size() - 1) != last) && System.nanoTime() < deadline) {
                Got g = got.poll(100, TimeUnit.MILLISECONDS);
                if (g != null) {
                    seen.add(Integer.parseInt(g.data().substring(2, g.data().length() - 1)));
                }
            }
            Got extra;
            while ((extra = got.poll(300, TimeUnit.MILLISECONDS)) != null) {
                seen.add(Integer.parseInt(extra.data().substring(2, extra.data().length() - 1)));
            }
            System.out.printf("restart under load: %d acknowledged, %d refused (not taken), %d unknown; "
                    + "the reader got %d%n", acked.size(), refused.size(), unknown, seen.size());
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "out of order or twice: " + seen.get(i - 1) + " then "
                        + seen.get(i));
            }
            List<Integer> missing = new ArrayList<>(acked);
            missing.removeAll(seen);
            if (!missing.isEmpty()) {
                // whether the daemon's log has them tells a lost record from a lost delivery
                StreamOffset at = outcomes.get(missing.get(0)).join();
                String logged = at == null ? "no offset" : pub.history("b", at.epoch(), at.offset() - 1, 3)
                        .get(10, TimeUnit.SECONDS).events().stream()
                        .map(e -> e.offset() + "=" + new String(e.data(), StandardCharsets.UTF_8)).toList().toString();
                org.junit.jupiter.api.Assertions.fail("acknowledged publishes missing: " + missing.size() + ", first "
                        + missing.subList(0, Math.min(20, missing.size())) + " at " + offsets(outcomes, missing)
                        + "; the log has there " + logged + "; the reader got " + seen.size() + ", around them "
                        + around(seen, missing.get(0)) + ", its position " + sub.streamPosition("b"));
            }
            for (int r : refused) {
                assertTrue(!seen.contains(r), "publish " + r + " was refused as not taken, yet delivered");
            }
            assertTrue(acked.size() > total / 2, "most publishes are acknowledged: " + acked.size());
            assertTrue(!refused.isEmpty(), "the outage outlasted the publish timeout: some must be refused");
        } finally {
            d.close();
        }
    }
}
