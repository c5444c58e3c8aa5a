package io.channelpush.push;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which browser origins may open WebSockets: comma-separated patterns where {@code *} matches any characters
 * (for example {@code https://*.example.com,http://localhost:*}); {@code *} alone allows every origin. A handshake
 * without an Origin header (a non-browser client) is allowed or refused by a setting. Immutable; thread-safe.
 */
final class OriginPolicy {
    private final List<Pattern> patterns = new ArrayList<>();
    private final boolean allowMissing;

    OriginPolicy(String patternList, boolean allowMissing) {
        this.allowMissing = allowMissing;
        for (String p : patternList.split(",")) {
            String t = p.strip();
            if (!t.isEmpty()) {
                patterns.add(Pattern.compile(t.equals("*") ? ".*" : regexOf(t), Pattern.CASE_INSENSITIVE));
            }
        }
    }

    private static String regexOf(String glob) {
        String[] parts = glob.split("\\*", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                b.append(".*");
            }
            b.append(Pattern.quote(parts[i]));
        }
        return b.toString();
    }

    boolean allows(String origin) {
        if (origin == null || origin.isEmpty()) {
            return allowMissing;
        }
        for (Pattern p : patterns) {
            if (p.matcher(origin).matches()) {
                return true;
            }
        }
        return false;
    }
}
