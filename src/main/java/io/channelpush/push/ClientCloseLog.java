package io.channelpush.push;

import io.channelpush.channel.log.RateLimitedLog;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's log lines for the clients it closes for misbehaving (too many messages, no pong, too slow): a client
 * can provoke them at will, so each kind is written at most once a second with a count
 * ({@link RateLimitedLog}). One instance per node, shared by its sessions. Thread-safe.
 */
final class ClientCloseLog {
    private static final Logger LOG = Logger.getLogger(PushSession.class.getName());

    final RateLimitedLog tooChatty = new RateLimitedLog(LOG, Level.INFO);
    final RateLimitedLog noPong = new RateLimitedLog(LOG, Level.INFO);
    final RateLimitedLog slow = new RateLimitedLog(LOG, Level.INFO);
}
