package io.channelpush.push.bus;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.MessageHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link NatsBus}'s subscriptions and the connection they ride on: the handlers asked for (by subject), the one
 * jnats {@link Dispatcher} that runs them all (one thread: handlers run one at a time, in publish order per
 * publisher), the exclusive channel's {@link NatsClaim}, and whether the bus is closed. Subscriptions may be made
 * before the connection exists (jnats connects in the background): they are subscribed when jnats' first
 * connection event brings it ({@link #attach}), and jnats subscribes them again after each reconnection.
 *
 * <p>Thread-safe. One lock, this object's, guards {@code handlers}, {@code dispatcher}, {@code claim},
 * {@code closed} and the write of {@code connection}; its invariants:
 * <ul>
 *   <li>the connection is attached once (the first connection event); there is no dispatcher before it, and none
 *       is ever created once closed: a connection attached after {@link #close} is closed at once;</li>
 *   <li>every handler is subscribed on the dispatcher exactly once: by {@link #subscribe} when the dispatcher
 *       exists as the handler is added, else by {@link #attach}; both decide under the lock, so none is missed or
 *       doubled;</li>
 *   <li>likewise the claim is started exactly once: by {@link #subscribeExclusive} when the dispatcher exists as the
 *       claim is set, else by {@link #attach};</li>
 *   <li>nothing that waits on the server runs under the lock (a subscription's flush, a claim's start outside
 *       {@link #attach}, closing the connection);</li>
 *   <li>lock order: this lock, then the claim's own ({@link #attach}, {@link #exclusiveHeld}), never the reverse:
 *       the claim tells the listener outside its lock.</li>
 * </ul>
 */
final class NatsSubscriptions {
    // the bus's logger: operators filter on it, and the bus's lines stay together
    private static final Logger LOG = Logger.getLogger(NatsBus.class.getName());

    private final String connectionName;
    private final MessageBus.Listener listener;
    private final CountDownLatch attached = new CountDownLatch(1);
    private final Map<String, MessageHandler> handlers = new LinkedHashMap<>(); // by subject; guarded by this
    private Dispatcher dispatcher; // guarded by this
    private NatsClaim claim; // guarded by this
    private boolean closed; // guarded by this
    private volatile Connection connection; // written once, under the lock, by the first connection event

    /**
     * @param connectionName this node's name on NATS, which the claim of the exclusive channel carries
     * @param listener told when the claim is taken or lost
     */
    NatsSubscriptions(String connectionName, MessageBus.Listener listener) {
        this.connectionName = connectionName;
        this.listener = listener;
    }

    /** The connection, or null before the first connection event. */
    Connection connection() {
        return connection;
    }

    /** The dispatcher, or null before the connection is attached (or when it came after the close). */
    synchronized Dispatcher dispatcher() {
        return dispatcher;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Waits for the first connection event. @return false when it did not come within {@code millis} */
    boolean awaitAttached(long millis) throws InterruptedException {
        return attached.await(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Subscribes {@code handler} to the channel's subject; a handler that throws is logged and the next message
     * delivered. When connected, waits up to {@link NatsBus#CONNECT_TIMEOUT} for the server to confirm it.
     *
     * @throws IllegalArgumentException when the channel has a handler already
     */
    void subscribe(String channel, Consumer<byte[]> handler) {
        String subject = NatsSubjects.subject(channel);
        MessageHandler h = message -> deliver(channel, message.getData(), handler);
        Connection c;
        synchronized (this) {
            if (handlers.putIfAbsent(subject, h) != null) {
                throw new IllegalArgumentException("already subscribed to channel " + channel);
            }
            if (dispatcher == null) {
                return; // subscribed when the connection is attached
            }
            dispatcher.subscribe(subject, h);
            c = connection;
        }
        // The server has the subscription once it answers this ping: later publishes of any client reach it.
        if (c.getStatus() == Connection.Status.CONNECTED) {
            try {
                c.flush(NatsBus.CONNECT_TIMEOUT);
            } catch (TimeoutException e) {
                LOG.fine(() -> "no flush of the subscription to " + subject + "; it is sent again on reconnect");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Subscribes {@code handler} to a channel delivered only while this node holds it ({@link NatsClaim}).
     *
     * @throws IllegalStateException when an exclusive channel was subscribed already
     */
    void subscribeExclusive(String channel, Consumer<byte[]> handler) {
        NatsClaim c = new NatsClaim(channel, connectionName, listener);
        Connection conn;
        Dispatcher d;
        synchronized (this) {
            if (claim != null) {
                throw new IllegalStateException("already holds an exclusive channel");
            }
            claim = c;
            conn = connection;
            d = dispatcher;
        }
        subscribe(channel, p -> {
            if (c.held()) {
                handler.accept(p);
            }
        });
        if (d != null) {
            c.start(conn, d);
        }
    }

    /** True unless an exclusive channel was subscribed and this node does not hold it (now). */
    synchronized boolean exclusiveHeld() {
        return claim == null || claim.held();
    }

    private void deliver(String channel, byte[] data, Consumer<byte[]> handler) {
        try {
            handler.accept(data);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "handler of channel " + channel + " failed", ex);
        }
    }

    /**
     * Called with every connection event; the first brings the connection: subscribes what was asked for before it
     * came and starts the claim, or closes the connection when the bus was closed first.
     */
    void attach(Connection c) {
        boolean closeIt;
        synchronized (this) {
            if (connection != null) {
                return;
            }
            connection = c;
            closeIt = closed;
            if (!closed) {
                dispatcher = c.createDispatcher();
                handlers.forEach(dispatcher::subscribe);
                if (claim != null) {
                    claim.start(c, dispatcher);
                }
            }
        }
        attached.countDown();
        if (closeIt) {
            closeQuietly(c);
        }
    }

    /** The connection is back (or first made): the claim, if any, is asked for again. */
    void reconnected() {
        NatsClaim cl;
        synchronized (this) {
            cl = claim;
        }
        if (cl != null) {
            cl.reconnected();
        }
    }

    /**
     * Closes once: marks the bus closed, closes the claim, runs {@code beforeConnection} (the bus's other parts),
     * then closes the connection attached by then, which stops reconnecting and the dispatcher thread. Idempotent.
     */
    void close(Runnable beforeConnection) {
        Connection c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = connection;
        }
        NatsClaim cl;
        synchronized (this) {
            cl = claim;
        }
        if (cl != null) {
            cl.close();
        }
        beforeConnection.run();
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
