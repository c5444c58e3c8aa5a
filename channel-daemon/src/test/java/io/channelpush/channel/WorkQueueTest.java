package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    private ChannelDaemon daemon;
    private final List<ChannelClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withPort(0).withQueueLimit(50));
    }

    @AfterEach
    void stop() {
        clients.forEach(ChannelClient::close);
        daemon.close();
    }

    private ChannelClient client(String name) throws InterruptedException {
        ChannelClient c = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName(name));
        clients.add(c);
        assertTrue(c.awaitConnected(Duration.ofSeconds(5)));
        return c;
    }

    @Test
    void thousandItemsWithThreeWatchersAreEachDeliveredExactlyOnce() throws Exception {
        daemon.close();
        daemon = ChannelDaemon.start(TestData.config().withPort(0));
        Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> perWatcher = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(1_000);
        for (String w : List.of("w1", "w2", "w3")) {
            client(w).watch("jobs", data -> {
                seen.computeIfAbsent(data.getAsInt(), k -> new AtomicInteger()).incrementAndGet();
                perWatcher.computeIfAbsent(w, k -> new AtomicInteger()).incrementAndGet();
                all.countDown();
            });
        }
        ChannelClient producer = client("producer");
        awaitWatchers("jobs", 3);
        for (int i = 0; i < 1_000; i++) {
            producer.enqueue("jobs", new JsonPrimitive(i));
        }
        assertTrue(all.await(10, TimeUnit.SECONDS), "not all items delivered: " + all.getCount() + " left");
        assertEquals(1_000, seen.size());
        seen.forEach((item, n) -> assertEquals(1, n.get(), "item " + item + " delivered " + n + " times"));
        assertEquals(3, perWatcher.size(), "items were not spread over the watchers: " + perWatcher);
        // Nothing more arrives: each item went out exactly once.
        assertEquals(0, queueDepth("jobs"));
        assertEquals(1_000, perWatcher.values().stream().mapToInt(AtomicInteger::get).sum());
    }

    @Test
    void itemsEnqueuedWithoutWatchersWaitForOne() throws Exception {
        ChannelClient producer = client("producer");
        for (int i = 0; i < 10; i++) {
            producer.enqueue("later", new JsonPrimitive(i));
        }
        Recorder r = new Recorder();
        ChannelClient worker = client("worker");
        worker.watch("later", r);
        for (int i = 0; i < 10; i++) {
            assertEquals(new JsonPrimitive(i), r.next(5_000));
        }
        assertNull(r.next(200));
    }

    @Test
    void watcherHoldsOneItemUntilItReserves() throws Exception {
        ChannelClient producer = client("producer");
        Recorder r = new Recorder();
        ChannelClient worker = client("manual");
        worker.watch("slow", r, false);
        for (int i = 0; i < 3; i++) {
            producer.enqueue("slow", new JsonPrimitive(i));
        }
        assertEquals(new JsonPrimitive(0), r.next(5_000));
        assertNull(r.next(300), "a second item arrived before reserve");
        worker.reserve();
        assertEquals(new JsonPrimitive(1), r.next(5_000));
    }

    @Test
    void itemHeldByAWatcherThatDisconnectsGoesToAnother() throws Exception {
        ChannelClient producer = client("producer");
        Recorder first = new Recorder();
        ChannelClient quitter = client("quitter");
        quitter.watch("q", first, false);
        producer.enqueue("q", new JsonPrimitive("precious"));
        assertEquals(new JsonPrimitive("precious"), first.next(5_000));
        quitter.close();
        Recorder second = new Recorder();
        client("second").watch("q", second);
        assertEquals(new JsonPrimitive("precious"), second.next(5_000));
    }

    @Test
    void enqueueBeyondTheQueueLimitIsReportedToTheProducer() throws Exception {
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch refused = new CountDownLatch(1);
        ChannelClient producer = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()),
                new ChannelClient.Listener() {
                    @Override
                    public void onError(io.channelpush.channel.protocol.ErrorCode code, String message) {
                        errors.add(code.wireName());
                        refused.countDown();
                    }
                });
        clients.add(producer);
        for (int i = 0; i < 51; i++) {
            producer.enqueue("bounded", new JsonPrimitive(i));
        }
        assertTrue(refused.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("queue_full"), errors);
        assertTrue(producer.isConnected(), "queue_full is not fatal");
        Recorder r = new Recorder();
        client("drain").watch("bounded", r);
        Set<JsonElement> got = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            got.add(r.next(5_000));
        }
        assertEquals(50, got.size());
        assertNull(r.next(200), "the 51st item was stored despite the limit");
    }

    private void awaitWatchers(String queue, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try (RawClient raw = RawClient.hello(daemon.port())) {
            while (System.nanoTime() < deadline) {
                raw.sendJson("{\"type\":\"stats\"}");
                var q = raw.read().getAsJsonObject("queues").getAsJsonObject(queue);
                if (q != null && q.get("watchers").getAsInt() == n) {
                    return;
                }
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("watchers of " + queue + " never reached " + n);
    }

    private int queueDepth(String queue) throws Exception {
        try (RawClient raw = RawClient.hello(daemon.port())) {
            raw.sendJson("{\"type\":\"stats\"}");
            var q = raw.read().getAsJsonObject("queues").getAsJsonObject(queue);
            return q == null ? 0 : q.get("depth").getAsInt();
        }
    }
}
