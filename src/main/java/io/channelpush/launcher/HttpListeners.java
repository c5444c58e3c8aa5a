package io.channelpush.launcher;

import io.channelpush.push.PushConfig;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The launcher's HTTP listeners (the WebSocket port and the publisher port, or one for both), built on Undertow's
 * HTTP/1.1 open listener the way {@code Undertow.start()} does, plus the node's wire limits:
 * <ul>
 * <li>request heads: {@code channelpush.max-header-bytes} and {@code channelpush.max-headers} (431 from
 *     {@link HeadGuard} on a connection's first request, Undertow's 400 on later keep-alive ones);</li>
 * <li>time: {@code channelpush.request-parse-timeout-ms} for a head, {@code channelpush.read-timeout-ms} for any
 *     wait for the next byte (a pause in a body, an idle keep-alive connection); the request deadline and the
 *     WebSocket exemption are in {@code RequestBounds};</li>
 * <li>descriptors: the listeners together accept at most the process's descriptor limit less a reserve; at that
 *     point they stop accepting (the kernel's backlog holds newcomers) and resume as soon as a connection closes,
 *     so accept() never fails with EMFILE and XNIO never enters its accept back-off (250 ms growing to 30 s).</li>
 * </ul>
 * {@link #close()} stops accepting and closes the listening sockets; idempotent. Thread-safe.
 */
final class HttpListeners implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpListeners.class.getName());
    /** Descriptors kept for everything but accepted connections: jars, the bus, the daemon's clients, files. */
    static final int DESCRIPTOR_RESERVE = 128;
    /** Most connections the publisher port takes when it is apart from the WebSocket port. */
    static final int PUBLISHER_SHARE = 1024;
    /**
     * Connections the kernel completes and queues for accept(): a reconnect storm (every client of a restarted
     * node at once) fills a queue of 1,000 in a few milliseconds, and each connection the kernel then drops waits
     * for its SYN to be sent again, 1 s later, then 3 s, 7 s. The kernel caps it at net.core.somaxconn (4,096 by
     * default since Linux 5.4); the descriptor cap below leaves newcomers here too.
     */
    static final int BACKLOG = 16_384;

    private final List<AcceptingChannel<StreamConnection>> servers = new ArrayList<>();

    /**
     * More parameters than a request line within the header size limit can hold, so Undertow's parser never
     * refuses them (its refusal has no body); the publisher refuses any it does not know, with the reason.
     */
    private static final int MAX_PARAMETERS = 1 << 20;

    /**
     * @param ports the ports to listen on, in order (0 picks a free one); the first is the WebSocket port
     */
    HttpListeners(XnioWorker worker, HttpHandler handler, String host, List<Integer> ports, PushConfig config)
            throws IOException {
        ByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
        OptionMap undertowOptions = OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.MAX_HEADER_SIZE, config.maxHeaderBytes())
                .set(UndertowOptions.MAX_HEADERS, config.maxHeaders())
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, config.requestParseTimeoutMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, config.readTimeoutMillis())
                // Undertow's parser refuses a bad %-escape or too many parameters with an empty 400 that no
                // handler can fill in; left to the node, each refusal says why (PathDecoding, the publisher).
                .set(UndertowOptions.DECODE_URL, false)
                .set(UndertowOptions.MAX_PARAMETERS, MAX_PARAMETERS)
                .getMap();
        int budget = connectionBudget();
        try {
            for (int i = 0; i < ports.size(); i++) {
                // apart, the publisher port (a few server-to-server clients) gets a quarter, at most PUBLISHER_SHARE
                int publisher = Math.min(budget / 4, PUBLISHER_SHARE);
                int share = ports.size() == 1 ? budget : i == 0 ? budget - publisher : publisher;
                OptionMap socketOptions = OptionMap.builder()
                        .set(Options.WORKER_IO_THREADS, worker.getIoThreadCount())
                        .set(Options.TCP_NODELAY, true)
                        .set(Options.REUSE_ADDRESSES, true)
                        .set(Options.BACKLOG, BACKLOG)
                        .set(Options.READ_TIMEOUT, config.readTimeoutMillis())
                        .set(Options.CONNECTION_HIGH_WATER, Math.max(1, share))
                        .set(Options.CONNECTION_LOW_WATER, Math.max(1, share))
                        .getMap();
                HttpOpenListener open = new HttpOpenListener(buffers, undertowOptions);
                open.setRootHandler(handler);
                ChannelListener<StreamConnection> guarded = connection -> {
                    connection.getSourceChannel().setConduit(new HeadGuard(connection.getSourceChannel().getConduit(),
                            connection, connection.getSinkChannel().getConduit(), config.maxHeaderBytes(),
                            config.maxHeaders()));
                    open.handleEvent(connection);
                };
                AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                        new InetSocketAddress(InetAddress.getByName(host), ports.get(i)),
                        ChannelListeners.openListenerAdapter(guarded), socketOptions);
                servers.add(server);
                server.resumeAccepts();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        if (budget < config.maxConnections()) {
            LOG.info("the listeners accept at most " + budget + " connections: the file descriptor limit less "
                    + DESCRIPTOR_RESERVE + " binds before " + PushConfig.MAX_CONNECTIONS + " ("
                    + config.maxConnections() + "); raise ulimit -n (LimitNOFILE=) for more");
        }
    }

    /** Connections the listeners may hold: the descriptor limit less those open now and a reserve. */
    static int connectionBudget() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            long open = unix.getOpenFileDescriptorCount();
            long budget = max - open - DESCRIPTOR_RESERVE;
            if (budget < 16) {
                LOG.warning("only " + max + " file descriptors allowed (" + open + " open): raise the limit "
                        + "(ulimit -n, LimitNOFILE=) to serve more than a few connections");
            }
            return (int) Math.max(16, Math.min(Integer.MAX_VALUE, budget));
        }
        return Integer.MAX_VALUE;
    }

    synchronized int count() {
        return servers.size();
    }

    /** The port actually bound by listener {@code index}. */
    synchronized int port(int index) {
        return servers.get(index).getLocalAddress(InetSocketAddress.class).getPort();
    }

    @Override
    public synchronized void close() {
        for (AcceptingChannel<StreamConnection> s : servers) {
            s.suspendAccepts();
            IoUtils.safeClose(s);
        }
        servers.clear();
    }
}
