package io.channelpush.channel.protocol;

import java.util.Locale;

/**
 * Machine-readable codes of {@code error} frames. The wire form is the lower-case name ({@link #wireName()}).
 * Codes are fatal (the daemon closes the connection after sending them) unless {@link #fatal()} says otherwise:
 * {@link #QUEUE_FULL}, {@link #OVER_CAPACITY}, {@link #NAME_CLAIMED}, {@link #NOT_A_STREAM} and
 * {@link #STORAGE_FAILED} leave the connection open.
 */
public enum ErrorCode {
    /** A frame length of 0 or above the daemon's maximum frame size. */
    BAD_FRAME_LENGTH(true),
    /** The body is not one JSON object (or not UTF-8). */
    BAD_JSON(true),
    /** The {@code type} field is missing or names no known message. */
    UNKNOWN_TYPE(true),
    /** A required field is missing or has the wrong JSON type. */
    MISSING_FIELD(true),
    /** The first frame was not {@code hello}, or {@code hello} came twice. */
    HELLO_REQUIRED(true),
    /** The client asked for a protocol version the daemon does not speak. */
    UNSUPPORTED_PROTOCOL(true),
    /** The secret in {@code hello} is missing or wrong. */
    BAD_SECRET(true),
    /** An {@code enqueue} found its queue at the daemon's limit; the item was not stored. Not fatal. */
    QUEUE_FULL(false),
    /** The connection's outbound buffer overflowed because it did not read fast enough. */
    SLOW_CONSUMER(true),
    /** Nothing arrived from the connection within the idle timeout. */
    IDLE_TIMEOUT(true),
    /** The daemon is stopping. */
    SHUTTING_DOWN(true),
    /**
     * The daemon's memory bound ({@code --memory-limit-bytes}) cannot hold what this request would add (a frame
     * body, an enqueued item, a publish's fan-out); the request was dropped. Not fatal.
     */
    OVER_CAPACITY(false),
    /** No {@code hello} within the hello deadline after connecting. */
    HELLO_TIMEOUT(true),
    /** A {@code claim} named a channel another live connection has claimed; nothing was subscribed. Not fatal. */
    NAME_CLAIMED(false),
    /** Handling this connection's input failed inside the daemon (a bug); only this connection is closed. */
    INTERNAL_ERROR(true),
    /** A {@code history} (or a {@code subscribe}'s {@code from}) named a channel that is not a stream. Not fatal. */
    NOT_A_STREAM(false),
    /** A stream's log could not be written (disk full, I/O error); the publish was not taken. Not fatal. */
    STORAGE_FAILED(false);

    private final boolean fatal;

    ErrorCode(boolean fatal) {
        this.fatal = fatal;
    }

    public boolean fatal() {
        return fatal;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The code for a wire name, or {@code null} when the name is unknown (a newer daemon). */
    public static ErrorCode fromWire(String name) {
        for (ErrorCode c : values()) {
            if (c.wireName().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
