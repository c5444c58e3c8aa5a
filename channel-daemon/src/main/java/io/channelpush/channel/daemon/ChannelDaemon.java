package io.channelpush.channel.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * An embeddable channel daemon. {@link #start(DaemonConfig)} binds and starts its single event-loop thread;
 * {@link #close()} stops it, telling every client {@code shutting_down}. Thread-safe: {@link #close()} may be
 * called from any thread, any number of times.
 */
public final class ChannelDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChannelDaemon.class.getName());
    private static final long JOIN_MILLIS = 5_000;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final EventLoop loop;
    private final Thread thread;
    private final InetSocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChannelDaemon(DaemonConfig config) throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(config.host(), config.port()), 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            throw e;
        }
        address = (InetSocketAddress) server.getLocalAddress();
        loop = new EventLoop(selector, server, config, "channel-daemon " + version());
        thread = new Thread(loop, "channel-daemon-" + address.getPort());
    }

    /**
     * Binds and starts a daemon.
     *
     * @throws IOException when the address cannot be bound (for example, the port is taken)
     */
    public static ChannelDaemon start(DaemonConfig config) throws IOException {
        ChannelDaemon d = new ChannelDaemon(config);
        d.thread.start();
        LOG.info(() -> "channel daemon " + version() + " listening on " + d.address.getHostString() + ":"
                + d.address.getPort() + (config.secret() == null ? " (no secret)" : " (secret required)"));
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
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info(() -> "channel daemon on port " + address.getPort() + " stopped");
    }
}
