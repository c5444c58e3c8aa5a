package io.channelpush.push;

/**
 * Puts one client's WebSocket messages together from the parts the container delivers (a partial handler gets each
 * frame's bytes in buffer-sized pieces, never a whole frame), counting the bytes received against
 * {@code channelpush.max-client-message-bytes} as they come: a message whose running total passes the limit is
 * refused at that part, before more of it is held, whatever its frame header declared and however many fragments
 * it came in. What is held is at most the limit. Owned by one endpoint instance; the container calls it from one
 * thread at a time; not thread-safe otherwise.
 */
final class InboundMessage {
    /** What {@link #text} and {@link #binary} found. */
    enum Verdict { PART, WHOLE, TOO_BIG, DISCARDED }

    private final int limitBytes;
    /** The parts of a fragmented text message; allocated by the first one (most messages come in one part). */
    private StringBuilder text;
    private long received;
    private boolean refused;
    private String whole;

    InboundMessage(int limitBytes) {
        this.limitBytes = limitBytes;
    }

    /**
     * Takes the next part of a text message.
     *
     * @return {@code WHOLE} when {@code last} completed a message within the limit ({@link #take()} gives it),
     *         {@code PART} while it continues, {@code TOO_BIG} once when it passes the limit, {@code DISCARDED}
     *         for the rest of a refused message
     */
    Verdict text(String part, boolean last) {
        Verdict v = count(utf8Length(part), last);
        if (v == Verdict.TOO_BIG || v == Verdict.DISCARDED) {
            text = null;
            return v;
        }
        if (v == Verdict.WHOLE && (text == null || text.isEmpty())) {
            whole = part; // the usual case: the whole message came in one part
            return v;
        }
        if (text == null) {
            text = new StringBuilder();
        }
        text.append(part);
        if (v == Verdict.WHOLE) {
            whole = text.toString();
            text = null; // an idle connection keeps no buffer
        }
        return v;
    }

    /** Counts the next part of a binary message (the node has no use for binary messages; only the limit applies). */
    Verdict binary(int partBytes, boolean last) {
        return count(partBytes, last);
    }

    /** The message {@link #text} last completed. */
    String take() {
        String w = whole;
        whole = null;
        return w;
    }

    private Verdict count(long bytes, boolean last) {
        Verdict v;
        if (refused) {
            v = Verdict.DISCARDED;
        } else {
            received += bytes;
            if (received > limitBytes) {
                refused = true;
                v = Verdict.TOO_BIG;
            } else {
                v = last ? Verdict.WHOLE : Verdict.PART;
            }
        }
        if (last) {
            received = 0;
            refused = false;
        }
        return v;
    }

    /**
     * The UTF-8 length of decoded text: the bytes it came in (the container has already refused invalid UTF-8).
     */
    static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                n += 2; // a surrogate pair is 4 bytes
            } else {
                n += 3;
            }
        }
        return n;
    }
}
