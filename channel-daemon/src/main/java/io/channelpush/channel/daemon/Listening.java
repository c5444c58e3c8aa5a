package io.channelpush.channel.daemon;

import io.channelpush.channel.log.RateLimitedLog;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listening side of the {@link EventLoop}: accepts every pending connection and registers it, and when accepting
 * fails (the descriptor limit) stops selecting {@code OP_ACCEPT} for an {@link AcceptBackoff} pause instead of
 * spinning, with one rate-limited log line. Confined to the event-loop thread.
 */
final class Listening {
    private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());

    /** Accepts one pending connection, or returns null; {@code ServerSocketChannel::accept} outside tests. */
    interface Acceptor {
        SocketChannel accept() throws IOException;
    }

    private final Selector selector;
    private final SelectionKey serverKey;
    private final Acceptor acceptor;
    private final DaemonConfig config;
    private final MemoryBudget budget;
    private final Consumer<Connection> accepted;
    private final IntSupplier connectionCount;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private final RateLimitedLog failures = new RateLimitedLog(LOG, Level.WARNING);
    private long nextId = 1;

    Listening(Selector selector, SelectionKey serverKey, Acceptor acceptor, DaemonConfig config, MemoryBudget budget,
              Consumer<Connection> accepted, IntSupplier connectionCount) {
        this.selector = selector;
        this.serverKey = serverKey;
        this.acceptor = acceptor;
        this.config = config;
        this.budget = budget;
        this.accepted = accepted;
        this.connectionCount = connectionCount;
    }

    /** How long the loop may wait in {@code select}: at most {@code max}, less while a pause is about to end. */
    long waitNanos(long now, long max) {
        return backoff.paused() ? Math.min(max, backoff.remaining(now)) : max;
    }

    /** Selects {@code OP_ACCEPT} again once a pause has run out. */
    void resumeIfDue(long now) {
        if (backoff.resumeDue(now) && serverKey.isValid()) {
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    /** Accepts and registers every pending connection; pauses accepting when that fails. */
    void acceptAll() {
        while (true) {
            SocketChannel ch;
            try {
                ch = acceptor.accept();
            } catch (IOException e) {
                long pause = backoff.failed(System.nanoTime());
                serverKey.interestOps(0);
                failures.log(() -> "accept failed: " + e.getMessage() + "; not accepting for "
                        + TimeUnit.NANOSECONDS.toMillis(pause) + " ms (at " + connectionCount.getAsInt()
                        + " connections; check the file-descriptor limit, ulimit -n)");
                return;
            }
            if (ch == null) {
                return;
            }
            backoff.succeeded();
            register(ch);
        }
    }

    private void register(SocketChannel ch) {
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            Connection c = new Connection(nextId++, ch, key, config.maxFrameBytes(), config.outboundLimitBytes(),
                    budget, System.nanoTime());
            key.attach(c);
            accepted.accept(c);
            LOG.fine(() -> "accepted " + c);
        } catch (IOException e) {
            LOG.fine(() -> "could not set up an accepted socket: " + e.getMessage());
            try {
                ch.close();
            } catch (IOException ignored) {
                // it is gone either way
            }
        }
    }
}
