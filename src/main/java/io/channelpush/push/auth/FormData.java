package io.channelpush.push.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code application/x-www-form-urlencoded} text (a query string or a form body) as UTF-8, keeping the
 * order and every value of repeated names. Stateless; thread-safe.
 */
public final class FormData {
    private FormData() {
    }

    /** @throws IllegalArgumentException for a malformed percent-escape */
    public static Map<String, List<String>> parse(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        // one pass over the text: a publish is parsed on an I/O thread, where every copy and list counts
        int n = raw.length();
        for (int start = 0; start < n; ) {
            int end = raw.indexOf('&', start);
            end = end < 0 ? n : end;
            if (end > start) {
                int eq = start;
                while (eq < end && raw.charAt(eq) != '=') {
                    eq++;
                }
                eq = eq == end ? -1 : eq;
                String name = decode(raw.substring(start, eq < 0 ? end : eq));
                String value = eq < 0 ? "" : decode(raw.substring(eq + 1, end));
                out.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        return out;
    }

    /** As {@link URLDecoder#decode}, which gives back the same text when it holds no escape and no '+'. */
    private static String decode(String part) {
        return part.indexOf('%') < 0 && part.indexOf('+') < 0 ? part : URLDecoder.decode(part, StandardCharsets.UTF_8);
    }
}
