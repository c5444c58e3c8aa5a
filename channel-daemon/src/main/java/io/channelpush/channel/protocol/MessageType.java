package io.channelpush.channel.protocol;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Values of the {@code type} field, in both directions. The wire form is the lower-case name. */
public enum MessageType {
    // client to daemon
    HELLO, SUBSCRIBE, UNSUBSCRIBE, PUBLISH, ENQUEUE, WATCH, UNWATCH, RESERVE, PING, STATS, CLAIM, HISTORY,
    // daemon to client
    WELCOME, EVENT, JOB, PONG, ERROR, STATS_REPLY, CLAIMED, ACK, RESUMED, HISTORY_REPLY;

    private static final Map<String, MessageType> BY_WIRE_NAME = new HashMap<>();

    static {
        for (MessageType t : values()) {
            BY_WIRE_NAME.put(t.wireName(), t);
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a wire name, or {@code null} when unknown. */
    public static MessageType fromWire(String name) {
        return BY_WIRE_NAME.get(name);
    }
}
