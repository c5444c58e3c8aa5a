package io.channelpush.channel.client;

import io.channelpush.channel.protocol.ProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The thread of a {@link ChannelClient} that connects, restores the client's state on each new connection
 * (subscriptions, claims, watches, streams resuming from their positions), reads until the connection fails, and
 * reconnects with a capped, jittered backoff; it is the client's reader thread. Thread-safe: the state queries and
 * {@link #close} may be called from any thread.
 */
final class Supervisor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChannelClient.class.getName());

    private final ClientOptions options;
    private final ChannelClient.Listener listener;
    private final OutboundBuffer buffer;
    private final Interests interests;
    private final StreamCursors streams;
    private final PendingRequests requests;
    private final Inbound inbound;
    private final Thread.UncaughtExceptionHandler threadDeaths;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Object stateLock = new Object();
    private DaemonConnection current;
    private boolean connected;
    private volatile boolean closed;

    Supervisor(ClientOptions options, ChannelClient.Listener listener, OutboundBuffer buffer, Interests interests,
               StreamCursors streams, PendingRequests requests, Inbound inbound,
               Thread.UncaughtExceptionHandler threadDeaths) {
        this.options = options;
        this.listener = listener;
        this.buffer = buffer;
        this.interests = interests;
        this.streams = streams;
        this.requests = requests;
        this.inbound = inbound;
        this.threadDeaths = threadDeaths;
        this.thread = new Thread(this::run, "channel-client-" + options.clientName());
        this.thread.setDaemon(true);
        if (threadDeaths != null) {
            this.thread.setUncaughtExceptionHandler(threadDeaths);
        }
    }

    void start() {
        thread.start();
    }

    boolean isClosed() {
        return closed;
    }

    boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateLock) {
            while (!connected && !closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                stateLock.wait(left);
            }
            return connected;
        }
    }

    boolean isConnected() {
        synchronized (stateLock) {
            return connected;
        }
    }

    private void run() {
        long delay = options.reconnectMin().toNanos();
        boolean everConnected = false;
        while (!closed) {
            DaemonConnection conn = null;
            try {
                conn = DaemonConnection.open(options);
                if (conn.protocol() < 2) {
                    LOG.warning(() -> "channel daemon " + options.address() + " speaks only protocol 1: acknowledged"
                            + " publishes, streams and history are refused until it is upgraded");
                }
                buffer.dropControlFrames();
                interests.claimsUnknown();
                inbound.connection(conn);
                requests.connected(conn.protocol());
                conn.sendNow(interests.resyncFrames());
                conn.sendNow(streams.resubscribeFrames(conn.protocol()).toArray(new byte[0][]));
                // connected means the claims sent above are settled: a claim made since is answered later (its
                // frame waits in the buffer for the writer), and holdsClaim says false until then
                conn.readUntil(inbound::onFrame, interests::claimsAnswered, "the claims");
                synchronized (stateLock) {
                    if (closed) {
                        conn.close();
                        return;
                    }
                    current = conn;
                    connected = true;
                    stateLock.notifyAll();
                }
                conn.startWriter(buffer, "channel-writer-" + options.clientName(), interests::refusedClaimFrames,
                        threadDeaths);
                LOG.info((everConnected ? "reconnected to" : "connected to") + " channel daemon " + options.address());
                listener.onConnected(everConnected);
                everConnected = true;
                delay = options.reconnectMin().toNanos();
                conn.readLoop(inbound::onFrame);
            } catch (IOException | ProtocolException e) {
                String reason = e instanceof ProtocolException p ? p.code().wireName() + ": " + p.getMessage()
                        : e.toString();
                // not connected (nor holding claims) from the moment the failure is known, not after the close
                synchronized (stateLock) {
                    current = null;
                    connected = false;
                }
                interests.claimsUnknown();
                if (conn != null) {
                    conn.close(); // waits for its writer: nothing more is written on it
                    requests.connectionLost(reason);
                }
                if (!closed) {
                    connectionLost(conn, e, reason);
                }
            }
            long sleep = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
            delay = Math.min(delay * 2, options.reconnectMax().toNanos());
            try {
                closing.await(sleep, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The one place where a lost or refused connection is reported. */
    private void connectionLost(DaemonConnection conn, Exception e, String reason) {
        if (conn == null) {
            LOG.log(e instanceof ProtocolException ? Level.SEVERE : Level.FINE,
                    () -> "cannot connect to channel daemon " + options.address() + ": " + reason + "; retrying");
        } else {
            LOG.warning(() -> "lost channel daemon " + options.address() + ": " + reason + "; reconnecting, "
                    + buffer.dataBytes() + " bytes buffered");
            listener.onDisconnected(reason);
        }
    }

    /** Stops reconnecting, closes the connection and waits at most 2 s for the thread; idempotent. */
    @Override
    public void close() {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            stateLock.notifyAll();
        }
        closing.countDown();
        DaemonConnection c;
        synchronized (stateLock) {
            c = current;
        }
        if (c != null) {
            c.close();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
