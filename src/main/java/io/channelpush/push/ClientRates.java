package io.channelpush.push;

/**
 * How fast one client may ask: its messages per one-second window (over {@code channelpush.max-commands-per-second}
 * the message is refused with a {@code rate_limited} error, once per window; at twice the rate the connection is
 * closed with 1008) and its {@code recover} commands per minute.
 *
 * <p>Not thread-safe, and needs no lock: {@link #admitCommand} runs on the container's one thread per session
 * (onMessage), {@link #admitRecover} on the thread that runs the session's commands (that same thread, or the
 * node's one publish thread when the bus may wait: {@link ClientCommands#handle}), one call at a time.
 */
final class ClientRates {
    private final PushSession session;
    private long windowStart = System.nanoTime();
    private int windowCount;
    private long recoverWindowStart = System.nanoTime();
    private int recoversInWindow;

    /** The rate and the log of a close for too many messages are the node's ({@link SessionLimits}). */
    ClientRates(PushSession session) {
        this.session = session;
    }

    /**
     * Counts one message from the client against its rate (per one-second window). Over the rate the message is
     * refused with a {@code rate_limited} error (once per window); at twice the rate the connection is closed
     * with 1008.
     *
     * @return true when the message may be handled
     */
    boolean admitCommand() {
        long now = System.nanoTime();
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            windowCount = 0;
        }
        windowCount++;
        int commandsPerSecond = session.limits.commandsPerSecond();
        if (windowCount <= commandsPerSecond) {
            return true;
        }
        if (windowCount == commandsPerSecond + 1) {
            session.send("{\"type\":\"error\",\"code\":\"" + ClientError.RATE_LIMITED.wireName()
                    + "\",\"message\":\"more than " + commandsPerSecond
                    + " messages per second; slow down or the connection is closed\"}");
        } else if (windowCount > 2 * commandsPerSecond && !session.isClosed()) {
            session.limits.closeLog().tooChatty.log(() -> "connection " + session.id + " closed: more than "
                    + 2 * commandsPerSecond + " messages per second");
            // after the rate_limited error already queued
            session.close(CloseCode.TOO_CHATTY);
        }
        return false;
    }

    /**
     * Counts one {@code recover} against the connection's rate ({@code max} per minute).
     *
     * @return false when over the rate
     */
    boolean admitRecover(int max) {
        long now = System.nanoTime();
        if (now - recoverWindowStart >= 60_000_000_000L) {
            recoverWindowStart = now;
            recoversInWindow = 0;
        }
        return ++recoversInWindow <= max;
    }
}
