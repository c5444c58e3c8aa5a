package io.channelpush.push;

import io.channelpush.channel.TestData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.launcher.Launcher;
import io.channelpush.launcher.LauncherOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;

/** A node uses the daemon's shared secret when configured; with a wrong one it stays not ready. */
class ChannelSecretTest {
    private static Launcher node(ChannelDaemon daemon, String secret) throws Exception {
        return Launcher.start(LauncherOptions.parse("--ws-port", "0", "--http-port", "0", "--no-demo",
                "--channel", "127.0.0.1:" + daemon.port(), "--set", "channelpush.channel-secret=" + secret));
    }

    @Test
    void nodeWithTheRightSecretBecomesReadyAndOneWithAWrongSecretDoesNot() throws Exception {
        HttpClient http = new HttpClient();
        http.start();
        try (ChannelDaemon daemon = ChannelDaemon.start(TestData.config().withPort(0).withSecret("shared-s3cret"));
             Launcher good = node(daemon, "shared-s3cret");
             Launcher bad = node(daemon, "guess")) {
            PushFixture.await(() -> good.node().health().busConnected(), "node with the right secret never connected");
            assertEquals(200, http.newRequest("http://127.0.0.1:" + good.port(1) + "/health/ready")
                    .timeout(5, TimeUnit.SECONDS).send().getStatus());
            assertEquals(503, http.newRequest("http://127.0.0.1:" + bad.port(1) + "/health/ready")
                    .timeout(5, TimeUnit.SECONDS).send().getStatus());
            assertFalse(bad.node().health().busConnected());
        } finally {
            http.stop();
        }
    }

    @Test
    void secretGivenWithSetAlsoProtectsTheInProcessDaemon() throws Exception {
        try (Launcher l = Launcher.start(LauncherOptions.parse("--ws-port", "0", "--http-port", "0", "--no-demo",
                "--channel-port", "0", "--channel-data-dir", TestData.freshDir().toString(),
                "--set", "channelpush.channel-secret=in-process-s3cret"));
             ChannelClient without = ChannelClient.start(ClientOptions.of("127.0.0.1", l.channelPort()));
             ChannelClient with = ChannelClient.start(ClientOptions.of("127.0.0.1", l.channelPort())
                     .withSecret("in-process-s3cret"))) {
            PushFixture.await(() -> l.node().health().busConnected(), "the node never reached its own daemon");
            assertTrue(with.awaitConnected(Duration.ofSeconds(5)));
            assertFalse(without.awaitConnected(Duration.ofMillis(500)), "the in-process daemon took a hello without secret");
        }
    }
}
