package io.channelpush.push.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.channelpush.push.LogCapture;
import io.nats.client.NKey;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NatsBus} with {@link NatsSecurity} against real nats-server processes that require credentials or TLS:
 * the right credentials carry messages, wrong or missing ones never connect and say why.
 */
class NatsAuthTest {
    private static final long BUFFER = 1 << 20;

    @TempDir
    Path dir;

    private static NatsSecurity token(String token) {
        return new NatsSecurity(null, null, token, null, null, null, null, null, null);
    }

    private static NatsSecurity user(String user, String password) {
        return new NatsSecurity(user, password, null, null, null, null, null, null, null);
    }

    private static NatsSecurity trusting(TestCertificate ca, TestCertificate client) {
        return new NatsSecurity(null, null, null, null, null, ca.trustStore.toString(), TestCertificate.PASSWORD,
                client == null ? null : client.keyStore.toString(), client == null ? null : TestCertificate.PASSWORD);
    }

    private static NatsBus bus(String url, NatsSecurity security) {
        return NatsBus.connect(NatsBus.parseServers(url), "test", BUFFER, security, QuietListener.QUIET);
    }

    /** A message published by one bus reaches a subscriber on another: both are really connected and allowed. */
    private static void assertCarries(NatsBus subscriber, NatsBus publisher) throws InterruptedException {
        assertTrue(subscriber.isConnected(), "subscriber connected");
        assertTrue(publisher.isConnected(), "publisher connected");
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        subscriber.subscribe("broadcast", p -> got.add(json(p).get("content").getAsString()));
        JsonObject m = new JsonObject();
        m.addProperty("content", "hello");
        publisher.publish("broadcast", m.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("hello", got.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void theRightTokenCarriesMessagesAndAWrongOneIsRefusedWithAnErrorNamingTheSetting() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startWithConfig(dir, "authorization { token: \"s3cret\" }");
             NatsBus sub = bus(server.url(), token("s3cret"));
             NatsBus pub = bus(server.url(), token("s3cret"))) {
            assertCarries(sub, pub);
            try (LogCapture log = new LogCapture(NatsBus.class, Level.ALL);
                 NatsBus wrong = bus(server.url(), token("guess"))) {
                LogRecord r = log.await(Level.SEVERE, "NATS refused this node's credentials");
                assertTrue(r.getMessage().contains("Authorization Violation") && r.getMessage().contains("token"),
                        r.getMessage());
                assertFalse(wrong.isConnected());
                assertFalse(r.getMessage().contains("guess"), "the log shows no secret: " + r.getMessage());
            }
        }
    }

    @Test
    void credentialsRefusedTwiceStopTheBusForGoodAndItTellsItsListenerWithoutTheSecret() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startWithConfig(dir, "authorization { token: \"s3cret\" }")) {
            LinkedBlockingQueue<BusUnavailableException> failed = new LinkedBlockingQueue<>();
            MessageBus.Listener listener = new QuietListener() {
                @Override
                public void failed(BusUnavailableException why) {
                    failed.add(why);
                }
            };
            try (NatsBus wrong = NatsBus.connect(NatsBus.parseServers(server.url()), "test", BUFFER, token("guess"),
                    listener)) {
                BusUnavailableException why = failed.poll(10, TimeUnit.SECONDS);
                assertTrue(why != null, "jnats gave up on refused credentials and the bus did not say so");
                assertTrue(why.getMessage().contains("will not reconnect")
                        && why.getMessage().contains("credentials"), why.getMessage());
                assertFalse(why.getMessage().contains("guess"), why.getMessage());
                assertEquals(io.nats.client.Connection.Status.CLOSED, wrong.connection().getStatus());
                assertFalse(wrong.isConnected());
            }
            try (NatsBus right = NatsBus.connect(NatsBus.parseServers(server.url()), "test", BUFFER,
                    token("s3cret"), listener)) {
                NatsStreamTest.await(right::isConnected, "connected with the right token");
                right.close(); // closed by its owner: not a failure
                assertEquals(io.nats.client.Connection.Status.CLOSED, right.connection().getStatus());
            }
            assertNull(failed.poll(1, TimeUnit.SECONDS), "a bus its owner closed reported a failure");
        }
    }

    @Test
    void aNodeWithoutCredentialsCannotPublishToAServerThatRequiresThem() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.startWithConfig(dir, "authorization { token: \"s3cret\" }");
             NatsBus subscriber = bus(server.url(), token("s3cret"));
             NatsBus publisher = bus(server.url(), token("s3cret"));
             LogCapture log = new LogCapture(NatsBus.class, Level.ALL);
             NatsBus anonymous = bus(server.url(), NatsSecurity.NONE)) {
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            subscriber.subscribe("broadcast", p -> got.add(json(p).get("content").getAsString()));
            LogRecord r = log.await(Level.SEVERE, "NATS refused this node's credentials");
            assertTrue(r.getMessage().contains("set one of the channelpush.nats-* credentials settings"), r.getMessage());
            assertFalse(anonymous.isConnected());
            JsonObject m = new JsonObject();
            m.addProperty("content", "from anonymous");
            try {
                anonymous.publish("broadcast", m.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)); // held in the reconnect buffer, never sent
            } catch (BusUnavailableException expected) {
                // or refused at once: either way it is not delivered
            }
            // A later report of jnats' (a failed attempt, or its giving up after the second refusal) shows the
            // anonymous bus never got in after that publish.
            log.await(Level.FINE, "NATS: ");
            m.addProperty("content", "probe");
            publisher.publish("broadcast", m.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("probe", got.poll(10, TimeUnit.SECONDS), "the first and only message the subscriber got");
            assertFalse(anonymous.isConnected());
            assertEquals(null, got.poll(), "nothing else arrived");
        }
    }

    @Test
    void userAndPasswordWorkFromSettingsAndFromTheUrlAndNeitherIsLogged() throws Exception {
        String config = "authorization { users = [ { user: alice, password: \"pa55word\" } ] }";
        try (NatsServerProcess server = NatsServerProcess.startWithConfig(dir, config);
             NatsBus fromSettings = bus(server.url(), user("alice", "pa55word"));
             NatsBus fromUrl = bus("nats://alice:pa55word@127.0.0.1:" + server.port, NatsSecurity.NONE)) {
            assertCarries(fromSettings, fromUrl);
            assertEquals("nats nats://***@127.0.0.1:" + server.port, fromUrl.describe());
            try (LogCapture log = new LogCapture(NatsBus.class, Level.ALL);
                 NatsBus wrong = bus(server.url(), user("alice", "nope"))) {
                log.await(Level.SEVERE, "check the user alice it uses");
                assertFalse(wrong.isConnected());
            }
        }
    }

    @Test
    void anNKeySeedFileAuthenticatesTheNode() throws Exception {
        NKey key = NKey.createUser(new SecureRandom());
        Path seed = Files.writeString(dir.resolve("node.nk"), new String(key.getSeed()));
        NatsSecurity nkey = new NatsSecurity(null, null, null, null, seed.toString(), null, null, null, null);
        String config = "authorization { users = [ { nkey: \"" + new String(key.getPublicKey()) + "\" } ] }";
        try (NatsServerProcess server = NatsServerProcess.startWithConfig(dir, config);
             NatsBus sub = bus(server.url(), nkey);
             NatsBus pub = bus(server.url(), nkey)) {
            assertCarries(sub, pub);
            try (LogCapture log = new LogCapture(NatsBus.class, Level.ALL);
                 NatsBus anonymous = bus(server.url(), NatsSecurity.NONE)) {
                log.await(Level.SEVERE, "NATS refused this node's credentials");
                assertFalse(anonymous.isConnected());
            }
        }
    }

    @Test
    void tlsWithATrustStoreConnectsAndAnUntrustedCertificateDoesNot() throws Exception {
        TestCertificate cert = TestCertificate.create(dir, "server");
        String config = "tls { cert_file: \"" + cert.certPem + "\", key_file: \"" + cert.keyPem + "\" }";
        try (NatsServerProcess server = NatsServerProcess.startWithConfig(dir, config);
             NatsBus sub = bus("tls://127.0.0.1:" + server.port, trusting(cert, null));
             NatsBus pub = bus(server.url(), trusting(cert, null))) {
            assertCarries(sub, pub);
            try (LogCapture log = new LogCapture(NatsBus.class, Level.ALL);
                 NatsBus jvmTrust = bus("tls://127.0.0.1:" + server.port, NatsSecurity.NONE)) {
                // Each failed attempt is logged (FINE); two of them show the bus kept failing, not just starting.
                log.await(Level.FINE, "NATS: ");
                log.await(Level.FINE, "NATS: ");
                assertFalse(jvmTrust.isConnected(), "connected to a server whose certificate nobody trusts");
            }
        }
    }

    @Test
    void mutualTlsNeedsTheNodesKeyStore() throws Exception {
        TestCertificate server = TestCertificate.create(dir, "server");
        TestCertificate node = TestCertificate.create(dir, "node");
        String config = "tls { cert_file: \"" + server.certPem + "\", key_file: \"" + server.keyPem + "\", ca_file: \""
                + node.certPem + "\", verify: true }";
        try (NatsServerProcess nats = NatsServerProcess.startWithConfig(dir, config);
             NatsBus sub = bus("tls://127.0.0.1:" + nats.port, trusting(server, node));
             NatsBus pub = bus("tls://127.0.0.1:" + nats.port, trusting(server, node));
             LogCapture log = new LogCapture(NatsBus.class, Level.ALL);
             NatsBus noClientCert = bus("tls://127.0.0.1:" + nats.port, trusting(server, null))) {
            assertCarries(sub, pub);
            log.await(Level.FINE, "NATS: ");
            log.await(Level.FINE, "NATS: ");
            assertFalse(noClientCert.isConnected(), "connected without the client certificate the server requires");
        }
    }

    @Test
    void inconsistentOrUnreadableSettingsAreRefusedNamingTheProblem() throws Exception {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> user("alice", null)).getMessage()
                .contains("user and password go together"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new NatsSecurity("a", "b", "t", null, null, null, null, null, null)).getMessage()
                .contains("one way to authenticate"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new NatsSecurity(null, null, null, dir.resolve("missing.creds").toString(), null, null, null, null,
                        null)).getMessage().contains("credentials file"));
        TestCertificate cert = TestCertificate.create(dir, "c");
        String e = assertThrows(IllegalArgumentException.class, () -> new NatsSecurity(null, null, null, null, null,
                cert.trustStore.toString(), "wrong", null, null)).getMessage();
        assertTrue(e.contains("cannot read the NATS trust store"), e);
        assertEquals("NatsSecurity[auth=user alice, trustStore=null, keyStore=null]", user("alice", "pw").toString());
        assertEquals("nats://***@h:4222", NatsSecurity.redact(URI.create("nats://alice:pw@h:4222")));
        assertEquals("tls://h:4222,nats://***@g", NatsSecurity.redact(List.of(URI.create("tls://h:4222"),
                URI.create("nats://tok@g"))));
    }

    private static com.google.gson.JsonObject json(byte[] payload) {
        return com.google.gson.JsonParser.parseString(new String(payload, java.nio.charset.StandardCharsets.UTF_8))
                .getAsJsonObject();
    }
}
