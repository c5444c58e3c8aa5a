package io.channelpush.chaos;

import java.util.List;

/**
 * Which stream each numbered publish goes to, and which streams a client follows: publish {@code n} of a publisher
 * goes to group g1 when {@code n % 4 == 1}, to group g2 when {@code n % 4 == 3}, to every client otherwise. Both
 * groups share the bus's one group stream, so g1's offsets have gaps where g2's messages are.
 */
final class Streams {
    static final String BROADCAST = "broadcast";
    static final List<String> GROUPS = List.of("g1", "g2");

    private Streams() {
    }

    /** The stream of publish {@code seq}: {@code broadcast} or {@code group:<id>}. */
    static String of(int seq) {
        return switch (seq % 4) {
            case 1 -> "group:g1";
            case 3 -> "group:g2";
            default -> BROADCAST;
        };
    }

    /** The publisher's query for publish {@code seq} of {@code publisher} (content {@code A:17}). */
    static String query(String publisher, int seq) {
        String stream = of(seq);
        String content = "content=" + publisher + "%3A" + seq;
        return stream.equals(BROADCAST) ? content : "group_id=" + groupId(stream) + "&" + content;
    }

    static String group(String id) {
        return "group:" + id;
    }

    static String groupId(String stream) {
        return stream.substring("group:".length());
    }

    /** The streams a client in {@code group} (or in none, when null) receives. */
    static List<String> followedBy(String group) {
        return group == null ? List.of(BROADCAST) : List.of(BROADCAST, group(group));
    }
}
