package io.channelpush.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.launcher.Launcher;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input on the socket and on the publisher gets a clear answer; the node keeps serving. */
class BadClientInputTest {
    private static PushFixture fx;
    private static Launcher node;

    @BeforeAll
    static void start() throws Exception {
        fx = new PushFixture();
        node = fx.node("bad-input");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @ParameterizedTest(name = "{0} for {1}")
    @CsvSource(delimiter = '|', value = {
        "bad_json       | not json at all",
        "bad_json       | [1,2,3]",
        "bad_json       | \"just a string\"",
        "missing_field  | {}",
        "missing_field  | {\"cmd\":42}",
        "unknown_cmd    | {\"cmd\":\"drop_tables\"}",
        "missing_field  | {\"cmd\":\"add_group\"}",
        "missing_field  | {\"cmd\":\"add_group\",\"group_id\":{\"x\":1}}",
        "bad_group_id   | {\"cmd\":\"add_group\",\"group_id\":\"\"}",
        "missing_field  | {\"cmd\":\"send_to_group\",\"group_id\":\"g\"}",
    })
    void badSocketMessageGetsAJsonErrorAndTheConnectionStaysUsable(String code, String message) throws Exception {
        TestClient c = fx.connect(node);
        c.send(message);
        JsonObject err = JsonParser.parseString(c.next()).getAsJsonObject();
        assertEquals("error", err.get("type").getAsString());
        assertEquals(code, err.get("code").getAsString());
        assertTrue(err.get("message").getAsString().length() > 10);
        PushFixture.command(c, "{\"cmd\":\"add_group\",\"group_id\":\"still-works\",\"id\":1}");
        fx.get(node, "group_id=still-works&content=yes");
        assertEquals("yes", c.next());
        assertTrue(c.isOpen());
    }

    @Test
    void tooLongGroupIdIsRefused() throws Exception {
        TestClient c = fx.connect(node);
        c.send("{\"cmd\":\"add_group\",\"group_id\":\"" + "g".repeat(129) + "\"}");
        assertEquals("bad_group_id", JsonParser.parseString(c.next()).getAsJsonObject().get("code").getAsString());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "400 | ''",
        "400 | content=",
        "400 | to_worker_id=bad-input&content=x",
        "400 | to_connection_id=1&content=x",
        "400 | to_worker_id=bad-input&to_connection_id=abc&content=x",
        "400 | to_worker_id=bad-input&to_connection_id=-5&content=x",
        "400 | to_worker_id=w&to_connection_id=1&group_id=g&content=x",
        "400 | group_id=&content=x",
        "400 | to_worker_id=&to_connection_id=1&content=x",
    })
    void badPublisherParametersGetA4xxWithAReason(int status, String query) throws Exception {
        TestClient watcher = fx.connect(node);
        ContentResponse r = fx.get(node, query);
        assertEquals(status, r.getStatus(), r.getContentAsString());
        String body = r.getContentAsString();
        assertTrue(body.endsWith("\n") && body.length() > 10 && body.indexOf('\n') == body.length() - 1,
                "one-line reason expected, got: " + body);
        assertEquals("ok", fx.get(node, "content=after").getContentAsString());
        assertEquals("after", watcher.next(), "a refused publish delivered something");
    }

    @Test
    void contentAboveTheLimitIs413() throws Exception {
        Fields form = new Fields();
        form.put("content", "x".repeat(256 * 1024 + 1));
        ContentResponse r = fx.post(node, form);
        assertEquals(413, r.getStatus());
        assertTrue(r.getContentAsString().contains("larger than"));
    }
}
