package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Messages;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Silence is noticed on both sides: the daemon closes idle clients, the client gives up on a mute daemon. */
class LivenessTest {
    @Test
    void daemonClosesAConnectionThatStaysSilent() throws Exception {
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0)
                .withIdleTimeout(Duration.ofSeconds(1)));
             RawClient quiet = RawClient.hello(daemon.port());
             ChannelClient pinging = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port())
                     .withPing(Duration.ofMillis(200), Duration.ofMillis(800)))) {
            assertTrue(pinging.awaitConnected(Duration.ofSeconds(5)));
            long start = System.nanoTime();
            JsonObject err = quiet.read();
            assertEquals("idle_timeout", err.get("code").getAsString());
            assertTrue(quiet.closedByDaemon());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 3_000, "closed after " + millis + " ms");
            assertTrue(pinging.isConnected(), "a client that pings is kept");
        }
    }

    @Test
    void clientNoticesADaemonThatStopsAnsweringAndReconnects() throws Exception {
        CountDownLatch lost = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(2);
        try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = mute.accept();
                        // welcome, then read pings forever without ever answering
                        FrameCodec.read(new DataInputStream(s.getInputStream()), 1 << 20);
                        s.getOutputStream().write(Messages.welcome("mute"));
                        second.countDown();
                    }
                } catch (Exception e) {
                    // closed at the end of the test
                }
            }, "mute-daemon");
            server.setDaemon(true);
            server.start();
            long start = System.nanoTime();
            try (ChannelClient c = ChannelClient.start(ClientOptions.of("127.0.0.1", mute.getLocalPort())
                    .withPing(Duration.ofMillis(200), Duration.ofMillis(800)), new ChannelClient.Listener() {
                        @Override
                        public void onDisconnected(String reason) {
                            lost.countDown();
                        }
                    })) {
                assertTrue(lost.await(5, TimeUnit.SECONDS), "mute daemon not noticed");
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 2_500, "noticed after " + millis + " ms");
                assertTrue(second.await(5, TimeUnit.SECONDS), "no reconnect attempt");
            }
        }
    }
}
