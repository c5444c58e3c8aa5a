package io.channelpush.push.bus;

/**
 * {@link BusCodec}'s short way through the payload of most targeted pushes: exactly what {@link BusCodec#encode}
 * writes for a {@link BusMessage.Targeted}, {@code {"to_connection_id":N,"content":"…"}} with no escape and no
 * control character in the content, is read with a few comparisons instead of a Gson {@code JsonReader} (which
 * allocates about 2.4 KB of buffers per message: a third of what a node allocates per targeted push). Anything
 * else, including the same message with whitespace, fields in another order, an escape or a report request, is
 * left to the full decoder, so both read every payload alike. Stateless and thread-safe.
 */
final class TargetedPayload {
    private static final String PREFIX = "{\"to_connection_id\":";
    private static final String CONTENT = ",\"content\":\"";
    /** At most this many digits: the id then fits a long without overflow checks; longer ones take the full way. */
    private static final int MAX_DIGITS = 18;

    private TargetedPayload() {
    }

    /**
     * @param worker the worker id of the channel the payload came on
     * @param text the whole payload, decoded from UTF-8 as the full decoder decodes it
     * @return the push, or null when the text is not in the encoder's exact targeted form
     */
    static BusMessage.Targeted read(String worker, String text) {
        int n = text.length();
        if (!text.startsWith(PREFIX)) {
            return null;
        }
        int i = PREFIX.length();
        int digits = i;
        long id = 0;
        while (i < n && i - digits < MAX_DIGITS && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            id = id * 10 + (text.charAt(i) - '0');
            i++;
        }
        // a leading zero is not how the encoder writes a number: the full decoder decides what it is
        if (i == digits || text.charAt(digits) == '0' || !text.startsWith(CONTENT, i)) {
            return null;
        }
        int start = i + CONTENT.length();
        for (int j = start; j < n; j++) {
            char c = text.charAt(j);
            if (c == '"') {
                // the closing quote must end the object, and the object the text
                return j == n - 2 && text.charAt(n - 1) == '}'
                        ? new BusMessage.Targeted(worker, id, text.substring(start, j)) : null;
            }
            if (c == '\\' || c < 0x20) {
                return null;
            }
        }
        return null;
    }
}
