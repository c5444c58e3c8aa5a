package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code channelpush.client-group-messages=false}: clients may join groups, only the publisher messages them. */
class ClientGroupMessagesTest {
    private static PushFixture fx;
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("no-client-groups", "--set", PushConfig.CLIENT_GROUP_MESSAGES + "=false",
                "--set", PushConfig.PUBLISH_TOKENS + "=tok-1");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void aClientsGroupMessageIsRefusedWithAnErrorAndReachesNoMember() throws Exception {
        TestClient member = fx.connect(node);
        TestClient sender = fx.connect(node);
        PushFixture.command(member, "{\"cmd\":\"add_group\",\"group_id\":\"room\",\"id\":1}");
        sender.send("{\"cmd\":\"send_to_group\",\"group_id\":\"room\",\"message\":\"spoofed\",\"id\":7}");
        JsonObject error = JsonParser.parseString(sender.next()).getAsJsonObject();
        assertEquals("error", error.get("type").getAsString());
        assertEquals("group_messages_off", error.get("code").getAsString());
        assertEquals(7, error.get("id").getAsInt());
        assertEquals("send_to_group", error.get("cmd").getAsString());
        // the publisher still reaches the group, and that is the first thing the member gets
        var r = fx.http.newRequest("http://127.0.0.1:" + node.port(1) + "/?group_id=room&content=from-publisher")
                .headers(h -> h.put("Authorization", "Bearer tok-1")).send();
        assertEquals(200, r.getStatus(), r.getContentAsString());
        assertEquals("from-publisher", member.next());
    }
}
