package io.channelpush.channel.daemon;

import io.channelpush.channel.protocol.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * An embeddable channel daemon. {@link #start(DaemonConfig)} binds and starts its single event-loop thread;
 * {@link #close()} stops it, telling every client {@code shutting_down}. If the loop thread dies (for example of
 * {@link OutOfMemoryError}), every socket, the listening one included, is closed and the fatal-error handler given
 * to {@link #start(DaemonConfig, Consumer)} is called on that thread; the daemon's own {@code main} ends the process
 * there. Thread-safe: {@link #close()} may be called from any thread, any number of times.
 */
public final class ChannelDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChannelDaemon.class.getName());
    private static final long JOIN_MILLIS = 5_000;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final EventLoop loop;
    private final Thread thread;
    private final Streams streams;
    private final InetSocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChannelDaemon(DaemonConfig config, Consumer<Throwable> fatal,
                          Function<ServerSocketChannel, Listening.Acceptor> acceptor, Consumer<Message> probe)
            throws IOException {
        streams = Streams.open(config);
        try {
            selector = Selector.open();
        } catch (IOException e) {
            streams.close();
            throw e;
        }
        server = ServerSocketChannel.open();
        SelectionKey serverKey;
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(config.host(), config.port()), 1024);
            server.configureBlocking(false);
            serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            streams.close();
            throw e;
        }
        address = (InetSocketAddress) server.getLocalAddress();
        loop = new EventLoop(selector, server, serverKey, config, "channel-daemon " + version(),
                acceptor.apply(server), probe, fatal, streams);
        thread = new Thread(loop, "channel-daemon-" + address.getPort());
    }

    /**
     * Binds and starts a daemon whose loop, should it die, only logs (its sockets are closed): for embedding.
     *
     * @throws IOException when the address cannot be bound (for example, the port is taken)
     */
    public static ChannelDaemon start(DaemonConfig config) throws IOException {
        return start(config, t -> { });
    }

    /**
     * Binds and starts a daemon.
     *
     * @param fatal called on the loop thread if the loop dies, after every socket is closed; a process that exists
     *     to run this daemon should end there with a non-zero status
     * @throws IOException when the address cannot be bound (for example, the port is taken)
     */
    public static ChannelDaemon start(DaemonConfig config, Consumer<Throwable> fatal) throws IOException {
        return start(config, fatal, server -> server::accept, m -> { });
    }

    /** With test seams: how pending connections are accepted, and a look at every message before it is handled. */
    static ChannelDaemon start(DaemonConfig config, Consumer<Throwable> fatal,
                               Function<ServerSocketChannel, Listening.Acceptor> acceptor, Consumer<Message> probe)
            throws IOException {
        ClassPreload.run();
        ChannelDaemon d = new ChannelDaemon(config, fatal, acceptor, probe);
        d.thread.start();
        LOG.info(() -> "channel daemon " + version() + " listening on " + d.address.getHostString() + ":"
                + d.address.getPort() + (config.secret() == null ? " (no secret)" : " (secret required)")
                + "; memory bound " + config.memoryLimitBytes() + " bytes, frames up to " + config.maxFrameBytes()
                + " bytes, hello within " + config.helloTimeout().toMillis() + " ms; streams " + config.streamChannels()
                + " in " + config.dataDir().toAbsolutePath() + " (epoch " + d.streams.epoch() + ", fsync "
                + (config.fsyncAlways() ? "always" : "every " + config.fsyncIntervalMillis() + " ms") + ")");
        return d;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The daemon's version, from the jar manifest, or "dev". */
    public static String version() {
        String v = ChannelDaemon.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Stops accepting, closes every connection and waits (at most 5 s) for the loop thread to end. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loop.wakeupForClose();
        if (thread != Thread.currentThread()) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            server.close();
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!thread.isAlive()) {
                streams.close(); // the loop appends to the logs: close them only once it has ended
            }
        }
        LOG.info(() -> "channel daemon on port " + address.getPort() + " stopped");
    }
}
