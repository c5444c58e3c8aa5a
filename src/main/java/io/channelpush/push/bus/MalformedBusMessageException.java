package io.channelpush.push.bus;

/** Bytes from the bus that are not a {@link BusMessage}; {@link #problem()} says why. */
public final class MalformedBusMessageException extends Exception {
    /** Why a payload was refused. */
    public enum Problem {
        /** Longer than {@link BusCodec#MAX_BYTES}; refused before anything was decoded. */
        TOO_LARGE,
        /** Not one JSON object. */
        NOT_JSON_OBJECT,
        /** A field the message's kind needs is missing or of the wrong type. */
        MISSING_FIELD,
        /** The channel is none of {@link Channels}' kinds. */
        UNKNOWN_CHANNEL
    }

    private final Problem problem;

    public MalformedBusMessageException(Problem problem, String message) {
        super(message, null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
