package io.channelpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.channel.client.ChannelClient;
import io.channelpush.channel.client.ClientOptions;
import io.channelpush.channel.daemon.ChannelDaemon;
import io.channelpush.channel.daemon.DaemonConfig;
import io.channelpush.channel.protocol.Messages;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SecretTest {
    private static ChannelDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = ChannelDaemon.start(TestData.config().withPort(0).withSecret("s3cr3t"));
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    private static void assertRefused(String secret, String why) throws Exception {
        try (RawClient c = new RawClient(daemon.port())) {
            c.send(Messages.hello("t", secret));
            JsonObject err = c.read();
            assertEquals("bad_secret", err.get("code").getAsString());
            assertTrue(err.get("message").getAsString().contains(why), err.toString());
            assertTrue(c.closedByDaemon());
        }
    }

    @Test
    void missingSecretIsRefused() throws Exception {
        assertRefused(null, "requires a secret");
    }

    @Test
    void wrongSecretIsRefused() throws Exception {
        assertRefused("guess", "wrong secret");
    }

    @Test
    void rightSecretIsWelcomed() throws Exception {
        try (RawClient c = new RawClient(daemon.port())) {
            c.send(Messages.hello("t", "s3cr3t"));
            assertEquals("welcome", c.read().get("type").getAsString());
        }
    }

    @Test
    void clientWithTheRightSecretConnectsAndOneWithoutDoesNot() throws Exception {
        try (ChannelClient good = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withSecret("s3cr3t"));
             ChannelClient bad = ChannelClient.start(ClientOptions.of("127.0.0.1", daemon.port()).withSecret("nope"))) {
            assertTrue(good.awaitConnected(Duration.ofSeconds(5)));
            assertFalse(bad.awaitConnected(Duration.ofMillis(500)));
        }
    }
}
