package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.launcher.Launcher;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;

/**
 * A node whose own threads die of an {@link Error} is marked dead and tells its {@link FatalErrors} sink; in the
 * WAR's mode (the sink that does not halt) liveness and readiness turn 503. The launcher's halting sink is
 * {@code ProcessHaltTest}'s.
 */
class FatalErrorTest {

    /** A session whose remote end throws {@code error} from every ping and text send, as if memory had run out. */
    private static Session failingSession(Error error) {
        RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(FatalErrorTest.class.getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (p, m, args) -> {
                    if (m.getName().equals("sendPing") || m.getName().equals("sendText")) {
                        throw error;
                    }
                    return defaultValue(m.getReturnType());
                });
        return (Session) Proxy.newProxyInstance(FatalErrorTest.class.getClassLoader(), new Class<?>[] {Session.class},
                (p, m, args) -> switch (m.getName()) {
                    case "getAsyncRemote" -> remote;
                    case "getId" -> "failing";
                    case "isOpen" -> true;
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> defaultValue(m.getReturnType());
                });
    }

    private static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class || type == long.class) {
            return type == int.class ? (Object) 0 : (Object) 0L;
        }
        return null;
    }

    private record Death(String thread, Throwable error) {
    }

    @Test
    void anErrorInThePingerOrTheWriteTimerReachesTheHandlerWithTheThreadsName() throws Exception {
        LinkedBlockingQueue<Death> deaths = new LinkedBlockingQueue<>();
        OutOfMemoryError oom = new OutOfMemoryError("simulated");
        Thread.UncaughtExceptionHandler handler = (t, e) -> deaths.add(new Death(t.getName(), e));
        try (DeliveryThreads threads = new DeliveryThreads("fatal-test", handler)) {
            threads.everySecond(() -> {
                throw oom;
            });
            Death ping = deaths.poll(10, TimeUnit.SECONDS);
            assertTrue(ping != null && ping.thread.startsWith("channel-push-pinger-fatal-test"), "first death: " + ping);
            assertEquals(oom, ping.error);
            threads.writeTimer().schedule(() -> {
                throw oom;
            }, 1, TimeUnit.MILLISECONDS);
            Death timer = deaths.poll(10, TimeUnit.SECONDS);
            assertTrue(timer != null && timer.thread.startsWith("channel-push-write-timer-fatal-test"),
                    "second death: " + timer);
            assertEquals(oom, timer.error);
        }
    }

    @Test
    void anErrorInASenderThreadFromAPingOrATextReachesTheRegistrysHandlerWithTheThreadsName() throws Exception {
        PushConfig config = PushConfig.load(Map.of(PushConfig.WORKER_ID, "fatal-test",
                PushConfig.PING_INTERVAL_SECONDS, "1")::get);
        LinkedBlockingQueue<Death> deaths = new LinkedBlockingQueue<>();
        try (ConnectionRegistry registry = new ConnectionRegistry(config, s -> { },
                (t, e) -> deaths.add(new Death(t.getName(), e)))) {
            OutOfMemoryError oom = new OutOfMemoryError("simulated");
            PushSession s = registry.register(failingSession(oom));
            // The pinger queues a ping for every session within one interval (1 s); the session's writer, a sender
            // thread here (not Undertow), dies of the Error sending it.
            Death ping = deaths.poll(10, TimeUnit.SECONDS);
            assertTrue(ping != null && ping.thread.startsWith("channel-push-sender-fatal-test"), "first death: " + ping);
            assertEquals(oom, ping.error);
            s.send("to the failing session");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Death send;
            do {
                send = deaths.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } while (send != null && !send.thread.startsWith("channel-push-sender-fatal-test"));
            assertTrue(send != null, "no sender thread reported its death");
            assertEquals(oom, send.error);
        }
    }

    @Test
    void aDeadNodeAnswers503OnLivenessAndReadinessWithTheReasonAndTellsItsSinkOnce() throws Exception {
        try (PushFixture fx = new PushFixture()) {
            Launcher l = fx.node("fatal-node");
            PushNode node = l.node();
            assertEquals(200, fx.fetch(l, "/health/live").getStatus());
            assertTrue(node.health().live());
            assertNull(node.health().deathReason());

            Thread owned = new Thread(() -> {
                throw new OutOfMemoryError("simulated: Java heap space");
            }, "channel-push-sender-fatal-node-9");
            owned.setUncaughtExceptionHandler(node::threadDied);
            owned.start();
            owned.join(10_000);
            assertFalse(owned.isAlive());

            assertFalse(node.health().live());
            ContentResponse live = fx.fetch(l, "/health/live");
            assertEquals(503, live.getStatus());
            assertTrue(live.getContentAsString().contains("thread channel-push-sender-fatal-node-9 died")
                    && live.getContentAsString().contains("simulated: Java heap space")
                    && live.getContentAsString().contains("restart"), live.getContentAsString());
            assertEquals(503, fx.fetch(l, "/health/ready").getStatus());
            assertFalse(node.health().accepting());

            node.threadDied(Thread.currentThread(), new StackOverflowError("a second one"));
            assertTrue(node.health().deathReason().contains("Java heap space"), "the first death is the one reported");
        }
    }
}
