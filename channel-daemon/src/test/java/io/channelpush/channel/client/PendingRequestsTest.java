package io.channelpush.channel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The requests awaiting the daemon's answer, without a socket (nothing writes the buffer here). */
class PendingRequestsTest {
    private final PendingRequests requests = new PendingRequests(ClientOptions.of("127.0.0.1", 9),
            new OutboundBuffer(1 << 20), null);

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, what + " not within 10 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void theTimerSleepsWhileNothingWaitsAndSweepsUntilTheLastRequestHasTimedOut() throws Exception {
        try (requests) {
            assertTrue(requests.timerIdle(), "a timer task with nothing waiting");
            CompletableFuture<?> publish = requests.publish("c", "{}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofMillis(100));
            assertFalse(requests.timerIdle(), "no sweep for a waiting publish");
            ExecutionException e = assertThrows(ExecutionException.class, () -> publish.get(10, TimeUnit.SECONDS));
            assertInstanceOf(ChannelUnavailableException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("not sent within 100 ms"), e.getCause().getMessage());
            await(requests::timerIdle, "the timer at rest after the last request");
        }
    }

    @Test
    void anAcknowledgedPublishLeavesTheTimerAtRest() throws Exception {
        try (requests) {
            CompletableFuture<?> publish = requests.publish("c", "{}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(30));
            requests.onAck(1, "c", 7, "epoch-1");
            assertEquals(new StreamOffset("epoch-1", 7), publish.get(10, TimeUnit.SECONDS));
            await(requests::timerIdle, "the timer at rest after the acknowledgement");
        }
    }
}
