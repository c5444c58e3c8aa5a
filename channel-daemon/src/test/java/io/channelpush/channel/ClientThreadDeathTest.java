package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A channel client's reader thread that dies of an {@link Error} (here thrown by a handler, as an
 * {@link OutOfMemoryError} would be) reports its death to the handler the client was started with, under its
 * thread's name, against a real daemon.
 */
class ClientThreadDeathTest {
    @Test
    void anErrorThatKillsTheReaderThreadReachesTheThreadDeathHandler() throws Exception {
        CompletableFuture<Thread> deadThread = new CompletableFuture<>();
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        OutOfMemoryError oom = new OutOfMemoryError("simulated");
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0));
             ChannelClient sub = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("dies"),
                     null, (t, e) -> {
                         cause.complete(e);
                         deadThread.complete(t);
                     });
             ChannelClient pub = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withClientName("pub"))) {
            sub.on("news", data -> {
                throw oom;
            });
            assertTrue(sub.awaitConnected(Duration.ofSeconds(5)));
            assertTrue(pub.awaitConnected(Duration.ofSeconds(5)));
            pub.publish("news", new JsonPrimitive("boom"));
            assertEquals(oom, cause.get(10, TimeUnit.SECONDS));
            Thread t = deadThread.get(1, TimeUnit.SECONDS);
            assertEquals("channel-client-dies", t.getName());
            t.join(5_000);
            assertTrue(!t.isAlive(), "the reader thread ended");
        }
    }
}
