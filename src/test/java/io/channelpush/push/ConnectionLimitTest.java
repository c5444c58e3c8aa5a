package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code channelpush.max-connections} holds exactly, one handshake after another and in a burst of raw handshakes
 * racing each other; a slot freed by a closed connection is taken again.
 */
class ConnectionLimitTest {
    private static PushFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void sequentialHandshakesBeyondTheLimitAreRefusedWith503AndAFreedSlotIsReused() throws Exception {
        Launcher node = fx.node("limit-3", "--set", "channelpush.max-connections=3");
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = RawHttp.connect(node.port(0));
                open.add(s);
                assertEquals(101, RawHttp.status(RawHttp.send(s, RawHttp.handshake(node.port(0), ""))), "handshake " + i);
            }
            for (int i = 0; i < 2; i++) {
                try (Socket s = RawHttp.connect(node.port(0))) {
                    String head = RawHttp.send(s, RawHttp.handshake(node.port(0), ""));
                    assertEquals(503, RawHttp.status(head), head);
                    assertNotNull(RawHttp.header(head, "Retry-After"), head);
                }
            }
            PushFixture.await(() -> node.node().connectionCount() == 3, "3 connections not registered");
            open.remove(0).close();
            PushFixture.await(() -> node.node().connectionCount() == 2, "the closed connection is still counted");
            Socket again = RawHttp.connect(node.port(0));
            open.add(again);
            assertEquals(101, RawHttp.status(RawHttp.send(again, RawHttp.handshake(node.port(0), ""))));
            try (Socket s = RawHttp.connect(node.port(0))) {
                assertEquals(503, RawHttp.status(RawHttp.send(s, RawHttp.handshake(node.port(0), ""))));
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aBurstOf300HandshakesGetsExactlyTheLimitOf100() throws Exception {
        Launcher node = fx.node("limit-100", "--set", "channelpush.max-connections=100");
        int port = node.port(0);
        ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                done.add(pool.submit(() -> {
                    Socket s = RawHttp.connect(port);
                    sockets.add(s);
                    go.await();
                    int status = RawHttp.status(RawHttp.send(s, RawHttp.handshake(port, "")));
                    if (status == 101) {
                        accepted.incrementAndGet();
                    } else if (status == 503) {
                        refused.incrementAndGet();
                        s.close();
                    } else {
                        throw new AssertionError("unexpected status " + status);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            // every 101 is still open, so no slot was freed during the burst: exactly the limit got in
            assertEquals(100, accepted.get());
            assertEquals(200, refused.get());
            PushFixture.await(() -> node.node().connectionCount() == 100,
                    "node counts " + node.node().connectionCount() + " connections");
            try (Socket s = RawHttp.connect(port)) {
                assertEquals(503, RawHttp.status(RawHttp.send(s, RawHttp.handshake(port, ""))));
            }
            assertTrue(node.node().connectionCount() <= 100);
        } finally {
            pool.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
        }
        PushFixture.await(() -> node.node().connectionCount() == 0, "closed connections still counted");
    }
}
