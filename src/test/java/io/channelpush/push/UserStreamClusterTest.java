package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import io.channelpush.push.bus.Channels;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The user stream {@code uid:<U>} across two nodes, on each bus (real sockets, real daemon or nats-server): a user's
 * JSON connection goes away, pushes to the user are published, it reconnects to the other node and recovers exactly
 * the missed ones, once, in order, then live ones; another user's stream is answered {@code false}; a plain-text
 * connection of the same user gets every push as before.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(PushFixture.Backend.class)
class UserStreamClusterTest {
    private static final String KEY = "a-connection-key-of-at-least-32-bytes!";

    @Parameter
    PushFixture.Backend backend;

    private static PushFixture fx;
    private static Launcher a;
    private static Launcher b;

    @BeforeParameterizedClassInvocation
    static void start(PushFixture.Backend backend) throws Exception {
        fx = new PushFixture(backend);
        a = fx.node(null, "--set", "channelpush.connection-keys=k1:" + KEY);
        b = fx.node(null, "--set", "channelpush.connection-keys=k1:" + KEY);
        if (backend == PushFixture.Backend.DAEMON) {
            fx.awaitSubscribers(Channels.USERS, 2);
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        fx.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    /** A connection of {@code uid} (its token's) to {@code node}; {@code query} "" for plain text. */
    private static TestClient connect(Launcher node, String uid, String query) throws Exception {
        String token = ConnectionTokenTest.hs256("k1", KEY, ConnectionTokenTest.claims(uid).build());
        TestClient c = new TestClient();
        ClientUpgradeRequest up = new ClientUpgradeRequest();
        up.setHeader("Authorization", "Bearer " + token);
        fx.ws.connect(c, URI.create("ws://127.0.0.1:" + node.port(0) + "/" + query), up).get(10, TimeUnit.SECONDS);
        return c;
    }

    private static void toUser(Launcher via, String uid, String content) throws Exception {
        assertEquals("ok", fx.get(via, "to_uid=" + uid + "&content=" + content).getContentAsString());
    }

    @Test
    void aUserReconnectingToTheOtherNodeRecoversExactlyItsMissedPushesOnceInOrderAndNoOtherUsers() throws Exception {
        String alice = unique("alice");
        String bob = unique("bob");
        TestClient text = connect(a, alice, "").awaitWelcome();
        TestClient first = connect(a, alice, "?format=json");
        assertEquals("welcome", json(first.next()).get("type").getAsString());
        toUser(b, alice, "m0");
        JsonObject m0 = json(first.next());
        assertEquals("uid:" + alice, m0.get("stream").getAsString());
        assertEquals("m0", m0.get("content").getAsString());
        first.close();
        PushFixture.await(() -> a.node().users().connections(alice).size() == 1, "the JSON connection is gone");

        List<String> missed = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            toUser(i % 2 == 0 ? a : b, alice, "m" + i);
            toUser(b, bob, "for-bob-" + i);
            missed.add("m" + i);
        }
        TestClient again = connect(b, alice, "?format=json&recover=1");
        JsonObject welcome = json(again.next());
        assertEquals("welcome", welcome.get("type").getAsString());
        String position = "{\"epoch\":\"" + m0.get("epoch").getAsString() + "\",\"offset\":"
                + m0.get("offset").getAsLong() + "}";
        again.send("{\"cmd\":\"recover\",\"id\":1,\"streams\":{\"uid:" + alice + "\":" + position + ",\"uid:" + bob
                + "\":" + position + "}}");
        List<String> got = new ArrayList<>();
        JsonObject recovered = null;
        while (recovered == null) {
            JsonObject f = json(again.next());
            if (f.get("type").getAsString().equals("recovered")) {
                recovered = f;
            } else {
                assertEquals("message", f.get("type").getAsString(), f.toString());
                assertEquals("uid:" + alice, f.get("stream").getAsString(), "never another user's push: " + f);
                got.add(f.get("content").getAsString());
            }
        }
        assertEquals(missed, got, "each missed push once, in order");
        assertEquals(json("{\"type\":\"recovered\",\"streams\":{\"uid:" + alice + "\":true,\"uid:" + bob
                + "\":false},\"id\":1}"), recovered);

        toUser(a, alice, "live");
        JsonObject live = json(again.next());
        assertEquals("uid:" + alice, live.get("stream").getAsString());
        assertEquals("live", live.get("content").getAsString());
        assertTrue(live.get("offset").getAsLong() > m0.get("offset").getAsLong());

        List<String> plain = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            plain.add(text.next());
        }
        List<String> expected = new ArrayList<>(List.of("m0"));
        expected.addAll(missed);
        expected.add("live");
        assertEquals(expected, plain, "the plain-text connection gets each push as before, nothing else");
        text.expectNothing(200);
    }
}
