package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The delivery engine without sockets: a {@link PushSession} draining into a {@link RecordingFrameSender}, at the
 * default limits ({@link PushConfig} with no settings). Replaces the timing-window parts of the socket tests for
 * the queue's answers: overflow (1013), the write delay's order and batching, the rate limit then 1008, 1009 ahead
 * of the queue, and every close going through the one writer.
 */
class PushSessionTest {
    private static final PushConfig DEFAULTS = PushConfig.load(Map.<String, String>of()::get);

    private final AtomicInteger slowReported = new AtomicInteger();

    private PushSession session(RecordingFrameSender rec, DrainGroup drains) {
        return new PushSession(1, rec::attach, e -> drains, new SessionLimits(DEFAULTS.sendQueueBytes(),
                DEFAULTS.maxCommandsPerSecond(), s -> slowReported.incrementAndGet(), new ClientCloseLog()));
    }

    private PushSession inline(RecordingFrameSender rec) {
        return session(rec, new DrainGroup(rec.executor(), null, 0));
    }

    @Test
    void clientThatStopsReadingIsClosedWith1013AtTheDefaultQueueLimitAndNothingFollowsTheClose() {
        // never completes a write: a client whose socket is full
        RecordingFrameSender rec = new RecordingFrameSender(Runnable::run, false);
        PushSession s = inline(rec);
        String pad = "p".repeat(10_000);
        int accepted = 0;
        while (s.send(OutboundMessage.forOne(accepted + ":" + pad))) {
            accepted++;
            assertTrue(accepted < 1_000, "the queue took more than 1,000 messages of 10 KB");
        }
        long weight = OutboundMessage.forOne("0:" + pad).weight();
        assertEquals(DEFAULTS.sendQueueBytes() / weight, accepted, "messages taken before the queue was full");
        assertTrue(s.queuedBytes() <= DEFAULTS.sendQueueBytes(), "queued " + s.queuedBytes());
        assertEquals(1, slowReported.get());
        assertTrue(s.isClosed());
        assertFalse(s.send("after the close"));
        List<String> events = rec.events();
        assertEquals("close:1013:slow client: send queue full", events.get(events.size() - 1));
        assertEquals(accepted, rec.texts().size());
        assertEquals(1, events.stream().filter(e -> e.startsWith("close")).count());
    }

    @Test
    void clientThatKeepsReadingIsNeverClosedAtTheQueueLimit() {
        RecordingFrameSender rec = new RecordingFrameSender(Runnable::run, true);
        PushSession s = inline(rec);
        String pad = "p".repeat(10_000);
        for (int i = 0; i < 1_000; i++) {
            assertTrue(s.send(OutboundMessage.forOne(i + ":" + pad)), "message " + i + " refused");
        }
        assertEquals(0, s.queuedBytes());
        assertEquals(0, slowReported.get());
        assertEquals(1_000, rec.texts().size());
    }

    @Test
    void writeDelayKeepsQueueOrderAndSendsWhatArrivedMeanwhileInOneBatch() throws Exception {
        int delayMs = 1_000;
        ExecutorService ioThread = Executors.newSingleThreadExecutor();
        WatchedScheduler timer = new WatchedScheduler(Thread::new, (t, e) -> { });
        try {
            RecordingFrameSender rec = new RecordingFrameSender(ioThread, true);
            PushSession s = session(rec, new DrainGroup(ioThread, timer, delayMs));
            long start = System.nanoTime();
            s.send("one");
            s.pingOrExpire(Long.MAX_VALUE);
            s.send("two");
            s.send("three");
            PushFixture.await(() -> rec.texts().size() == 3, Duration.ofSeconds(20), "the delayed drain did not run");
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMs >= delayMs, "drained after " + waitedMs + " ms");
            // one sweep: the ping ends a batch and starts the next, in queue order
            assertEquals(List.of("text:one", "flush", "ping", "text:two", "text:three", "flush"), rec.events());
        } finally {
            ioThread.shutdownNow();
            timer.shutdownNow();
        }
    }

    @Test
    void floodingClientGetsOneRateLimitedErrorThenIsClosedWith1008AtTheDefaultRate() {
        RecordingFrameSender rec = new RecordingFrameSender(Runnable::run, true);
        PushSession s = inline(rec);
        int rate = DEFAULTS.maxCommandsPerSecond();
        List<Boolean> admitted = new ArrayList<>();
        for (int i = 0; i < 3 * rate; i++) {
            admitted.add(s.rates().admitCommand());
        }
        assertEquals(rate, admitted.stream().filter(a -> a).count());
        assertTrue(admitted.subList(0, rate).stream().allMatch(a -> a), "the first " + rate + " are admitted");
        List<String> events = rec.events();
        assertEquals(1, rec.texts().size(), events.toString());
        assertTrue(rec.texts().get(0).contains("\"code\":\"rate_limited\""), rec.texts().get(0));
        assertEquals("close:1008:too many messages per second", events.get(events.size() - 1));
        assertEquals(1, events.stream().filter(e -> e.startsWith("close")).count());
        assertTrue(s.isClosed());
    }

    @Test
    void tooBigMessageDropsWhatIsQueuedAndAbortsWith1009First() {
        ManualExecutor io = new ManualExecutor();
        RecordingFrameSender rec = new RecordingFrameSender(io, true);
        PushSession s = session(rec, new DrainGroup(io, null, 0));
        s.send("queued one");
        s.send("queued two");
        s.closeTooBig(DEFAULTS.maxClientMessageBytes());
        assertFalse(s.send("after the close"));
        io.runAll();
        assertEquals(List.of("flush", "abort:1009:message larger than " + DEFAULTS.maxClientMessageBytes() + " bytes"),
                rec.events());
    }

    @Test
    void shutdownCloseFollowsWhatWasQueuedThroughTheSameWriter() {
        ManualExecutor io = new ManualExecutor();
        RecordingFrameSender rec = new RecordingFrameSender(io, true);
        PushSession s = session(rec, new DrainGroup(io, null, 0));
        s.send("a");
        s.send("b");
        assertTrue(s.close(CloseCode.SHUTDOWN));
        assertFalse(s.close(CloseCode.SLOW_CLIENT), "only the first close counts");
        assertFalse(s.send("c"));
        assertEquals(List.of(), rec.events(), "nothing is written outside the drain");
        io.runAll();
        assertEquals(List.of("text:a", "text:b", "flush", "close:1001:node shutting down"), rec.events());
    }

    @Test
    void whatFollowsAFailedSendGoesToTheNextDrainInOrder() {
        ManualExecutor io = new ManualExecutor();
        RecordingFrameSender rec = new RecordingFrameSender(io, true);
        rec.failOn("b");
        PushSession s = session(rec, new DrainGroup(io, null, 0));
        s.send("a");
        s.send("b");
        s.send("c");
        assertTrue(s.close(CloseCode.SHUTDOWN));
        io.runAll();
        assertEquals(List.of("text:a", "failed:b", "text:c", "flush", "close:1001:node shutting down"), rec.events(),
                "the close that follows a failed send is still written, after what was queued before it");
    }

    @Test
    void aCloseThatDropsTheQueueDuringADrainSkipsWhatThatDrainStillHolds() {
        ManualExecutor io = new ManualExecutor();
        RecordingFrameSender rec = new RecordingFrameSender(io, true);
        PushSession s = session(rec, new DrainGroup(io, null, 0));
        rec.whenSending("a", () -> s.close(CloseCode.SLOW_CLIENT));
        s.send("a");
        s.send("b");
        s.pingOrExpire(TimeUnit.HOURS.toNanos(1));
        s.send("c");
        io.runAll();
        assertEquals(List.of("text:a", "flush", "close:1013:" + CloseCode.SLOW_CLIENT.reason()), rec.events());
    }

    @Test
    void clientSilentPastThePingTimeoutIsClosedWith1001() {
        RecordingFrameSender rec = new RecordingFrameSender(Runnable::run, true);
        PushSession s = inline(rec);
        s.pingOrExpire(TimeUnit.HOURS.toNanos(1));
        long t = System.nanoTime();
        PushFixture.await(() -> System.nanoTime() - t > 1_000, "the clock did not move");
        s.pingOrExpire(0);
        s.pingOrExpire(0);
        assertEquals(List.of("flush", "ping", "flush", "flush", "close:1001:ping timeout"), rec.events());
    }

    @Test
    void drainThreadGoneClosesOnceWithoutWriting() {
        Executor refusing = task -> {
            throw new java.util.concurrent.RejectedExecutionException("stopped");
        };
        RecordingFrameSender rec = new RecordingFrameSender(refusing, true);
        PushSession s = session(rec, new DrainGroup(refusing, null, 0));
        s.send("lost");
        assertTrue(s.isClosed());
        assertFalse(s.send("after"));
        assertEquals(List.of("close:1001:node shutting down"), rec.events());
    }
}
