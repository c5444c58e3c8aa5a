package io.channelpush.push;

import java.util.Locale;

/**
 * Machine-readable codes of the {@code {"type":"error","code":...}} replies a WebSocket client gets. The wire form
 * is the lower-case name ({@link #wireName()}). None of them closes the connection by itself (a client that keeps
 * going over its rate is closed with {@link CloseCode#TOO_CHATTY}). Immutable.
 */
enum ClientError {
    /** The message is not a JSON object. */
    BAD_JSON,
    /** {@code cmd} names no command, or is too long. */
    UNKNOWN_CMD,
    /** A required field is missing or has the wrong JSON type. */
    MISSING_FIELD,
    /** The connection is in {@code channelpush.max-groups-per-connection} groups already. */
    TOO_MANY_GROUPS,
    /** {@code group_id} is empty or longer than {@code channelpush.max-group-id-length}. */
    BAD_GROUP_ID,
    /** A {@code send_to_group} message is larger than {@code channelpush.max-content-bytes}. */
    TOO_LARGE,
    /** The message bus cannot take the message now: it was not sent. */
    UNAVAILABLE,
    /** The bus did not acknowledge a {@code send_to_group} in time: it may still be delivered, at most once. */
    OUTCOME_UNKNOWN,
    /** {@code recover} on a connection without {@code ?format=json} (plain-text frames carry no offsets). */
    WRONG_FORMAT,
    /** {@code channelpush.client-group-messages} is false: clients may not send to groups. */
    GROUP_MESSAGES_OFF,
    /** Over {@code channelpush.max-commands-per-second}: the message was not handled. */
    RATE_LIMITED,
    /**
     * Connection keys are set and the connection's token does not grant the group ({@code add_group}) or sending
     * to it ({@code send_to_group}).
     */
    FORBIDDEN;

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
