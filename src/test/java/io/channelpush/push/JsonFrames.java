package io.channelpush.push;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the socketless recovery tests read from a JSON connection's {@link FakeWebSocket}: the query parameters of a
 * JSON (and a held, {@code recover=1}) connection, waiting for its frames, and picking frames by type. Stateless.
 */
final class JsonFrames {
    static final Map<String, List<String>> JSON = Map.of("format", List.of("json"));
    static final Map<String, List<String>> JSON_RECOVER = Map.of("format", List.of("json"), "recover", List.of("1"));

    private JsonFrames() {
    }

    /** Completes the fake's writes until {@code done} holds for its texts; returns them. */
    static List<String> await(FakeWebSocket ws, Predicate<List<String>> done, String what) {
        PushFixture.await(() -> {
            ws.completeAll(null);
            return done.test(ws.texts());
        }, what + ": " + ws.texts());
        return ws.texts();
    }

    static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    /** The frames of {@code type}, in arrival order. */
    static List<JsonObject> ofType(List<String> texts, String type) {
        return texts.stream().map(JsonFrames::json).filter(o -> o.get("type").getAsString().equals(type)).toList();
    }
}
