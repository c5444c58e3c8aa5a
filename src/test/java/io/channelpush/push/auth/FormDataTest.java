package io.channelpush.push.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Form decoding reads every text as the plain split-and-decode reading does: names, values, order, repeats. */
class FormDataTest {

    /** The reading before the one-pass parser, kept here as the reference. */
    private static Map<String, List<String>> reference(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    @Test
    void readsEveryTextAsTheSplitAndDecodeReading() {
        for (String raw : List.of("", "&", "&&", "a", "a=", "=", "=x", "a=1", "a=1&b=2", "&a=1&&b=2&", "a=1&a=2&a",
                "content=t%3A1%3A2&to_worker_id=node-1&to_connection_id=42", "a+b=c+d", "a%20b=%E4%B8%AD%F0%9F%98%80",
                "a=b=c", "a==", "x=%2B+%26%3D", "report&content=x", "caf\u00e9=th\u00e9")) {
            assertEquals(reference(raw), FormData.parse(raw), raw);
            assertEquals(List.copyOf(reference(raw).keySet()), List.copyOf(FormData.parse(raw).keySet()), raw);
        }
    }

    @Test
    void refusesAMalformedEscapeAsBefore() {
        for (String raw : List.of("a=%", "a=%G1", "%zz=1", "ok=1&bad=%4")) {
            assertThrows(IllegalArgumentException.class, () -> reference(raw), raw);
            assertThrows(IllegalArgumentException.class, () -> FormData.parse(raw), raw);
        }
    }
}
