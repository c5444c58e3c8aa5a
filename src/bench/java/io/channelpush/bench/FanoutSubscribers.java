package io.channelpush.bench;

import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * S subscribers of one channel as plain non-blocking {@link SocketChannel}s served by one selector thread.
 *
 * <p>Each socket sends {@code hello} and {@code subscribe} once; after that the thread only reads. Frames are cut by
 * their length prefix alone, with no JSON parsing: only the first {@value #HEAD} bytes of each body are kept, to
 * tell events from other frames and to read the publisher's {@code "t":} timestamp (System.nanoTime at publish)
 * with a byte scan. Every event frame is counted and, once measuring has started, its latency recorded: receive
 * time (one nanoTime per socket read) minus {@code t}. Events whose data has {@code "m":} instead of {@code "t":}
 * are markers, used only to prove the subscriptions are active, and are not counted. A ping every
 * {@link #PING_NANOS} keeps the daemon's idle timeout away.
 *
 * <p>Threads: the selector thread writes everything; other threads read the volatile progress figures
 * ({@link #minReceived()}, {@link #welcomed()}, {@link #marked()}, {@link #failure()}) and, after
 * {@link #close()} (which joins the thread), the totals and the histogram.
 */
final class FanoutSubscribers implements AutoCloseable {
    static final int HEAD = 96;
    private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final byte[] PING = Messages.simple(MessageType.PING);
    private static final byte[] TYPE_EVENT = ascii("{\"type\":\"event\"");
    private static final byte[] TYPE_WELCOME = ascii("{\"type\":\"welcome\"");
    private static final byte[] TYPE_ERROR = ascii("{\"type\":\"error\"");
    private static final byte[] T_FIELD = ascii("\"t\":");
    private static final byte[] M_FIELD = ascii("\"m\":");

    /** Per-socket decoding state. */
    private static final class Sub {
        final SocketChannel channel;
        final byte[] head = new byte[HEAD];
        int headerFill;
        int length;
        int bodyLeft;
        int headFill;
        long events;
        boolean welcomed;
        boolean marked;

        Sub(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final Selector selector;
    private final Sub[] subs;
    private final Thread thread;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private final LatencyHistogram histogram = new LatencyHistogram();

    private volatile boolean running = true;
    private volatile long measureFromNanos;
    private volatile boolean measuring;
    private volatile long minReceived;
    private volatile int welcomed;
    private volatile int marked;
    private volatile String failure;

    // Written by the selector thread only; read after close().
    private long totalEvents;
    private long eventsSinceMeasure;
    private long lastEventNanos;
    private long otherFrames;
    private int lastT = -1;

    private FanoutSubscribers(Selector selector, Sub[] subs, String name) {
        this.selector = selector;
        this.subs = subs;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    /** Connects {@code count} subscribers of {@code channel} and starts the selector thread. */
    static FanoutSubscribers open(InetSocketAddress daemon, String channel, int count) throws IOException {
        Selector selector = Selector.open();
        Sub[] subs = new Sub[count];
        byte[] subscribe = Messages.subscribe(List.of(channel));
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open(daemon);
                subs[i] = new Sub(ch);
                writeFully(ch, Messages.hello("bench-subscriber-" + i, null));
                writeFully(ch, subscribe);
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, subs[i]);
            }
        } catch (IOException e) {
            for (Sub s : subs) {
                if (s != null) {
                    s.channel.close();
                }
            }
            selector.close();
            throw e;
        }
        FanoutSubscribers f = new FanoutSubscribers(selector, subs, "bench-subscribers");
        f.thread.start();
        return f;
    }

    int size() {
        return subs.length;
    }

    /** Events (markers excluded) received by the subscriber that has received the fewest. */
    long minReceived() {
        return minReceived;
    }

    int welcomed() {
        return welcomed;
    }

    /** Subscribers that have received at least one marker. */
    int marked() {
        return marked;
    }

    /** The first problem seen (a socket closed, an error frame), or null. */
    String failure() {
        return failure;
    }

    /** From now on, events published at or after {@code nanos} count for latency and throughput. */
    void startMeasuring(long nanos) {
        measureFromNanos = nanos;
        measuring = true;
    }

    Thread thread() {
        return thread;
    }

    long totalEvents() {
        return totalEvents;
    }

    /** Events received since {@link #startMeasuring} (by receive time), whatever their publish time. */
    long eventsSinceMeasure() {
        return eventsSinceMeasure;
    }

    /** Receive time of the last event, in System.nanoTime terms. */
    long lastEventNanos() {
        return lastEventNanos;
    }

    long otherFrames() {
        return otherFrames;
    }

    LatencyHistogram histogram() {
        return histogram;
    }

    private void loop() {
        long nextPing = System.nanoTime() + PING_NANOS;
        try {
            while (running) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    read((Sub) key.attachment(), key);
                }
                selector.selectedKeys().clear();
                long min = Long.MAX_VALUE;
                for (Sub s : subs) {
                    min = Math.min(min, s.events);
                }
                minReceived = min;
                if (System.nanoTime() - nextPing > 0) {
                    for (Sub s : subs) {
                        if (s.channel.isOpen()) {
                            s.channel.write(ByteBuffer.wrap(PING));
                        }
                    }
                    nextPing = System.nanoTime() + PING_NANOS;
                }
            }
        } catch (IOException | RuntimeException e) {
            fail("subscriber thread failed: " + e);
        }
    }

    private void read(Sub s, SelectionKey key) {
        readBuffer.clear();
        int n;
        try {
            n = s.channel.read(readBuffer);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            key.cancel();
            try {
                s.channel.close();
            } catch (IOException e) {
                // closing anyway
            }
            fail("a subscriber's connection was closed by the daemon");
            return;
        }
        consume(s, readBuffer.array(), n, System.nanoTime());
    }

    /** Cuts frames out of {@code a[0, end)}; {@code now} is the receive time of all of them. */
    private void consume(Sub s, byte[] a, int end, long now) {
        int i = 0;
        while (i < end) {
            if (s.headerFill < 4) {
                if (s.headerFill == 0 && end - i >= 4) {
                    s.length = ((a[i] & 0xFF) << 24) | ((a[i + 1] & 0xFF) << 16) | ((a[i + 2] & 0xFF) << 8)
                            | (a[i + 3] & 0xFF);
                    i += 4;
                    s.headerFill = 4;
                } else {
                    s.length = (s.length << 8) | (a[i++] & 0xFF);
                    s.headerFill++;
                }
                if (s.headerFill == 4) {
                    s.bodyLeft = s.length;
                    s.headFill = 0;
                }
                continue;
            }
            int n = Math.min(end - i, s.bodyLeft);
            if (s.headFill < HEAD) {
                int c = Math.min(n, HEAD - s.headFill);
                System.arraycopy(a, i, s.head, s.headFill, c);
                s.headFill += c;
            }
            i += n;
            s.bodyLeft -= n;
            if (s.bodyLeft == 0) {
                frame(s, now);
                s.headerFill = 0;
                s.length = 0;
            }
        }
    }

    private void frame(Sub s, long now) {
        byte[] h = s.head;
        int len = s.headFill;
        if (startsWith(h, len, TYPE_EVENT)) {
            // every event has the same layout: look where the last one had "t": before scanning
            int t = at(h, len, T_FIELD, lastT) ? lastT : find(h, len, T_FIELD, TYPE_EVENT.length);
            if (t >= 0) {
                lastT = t;
                long published = parseLong(h, t + T_FIELD.length, len);
                s.events++;
                totalEvents++;
                lastEventNanos = now;
                if (measuring) {
                    long from = measureFromNanos;
                    if (now - from >= 0) {
                        eventsSinceMeasure++;
                        if (published - from >= 0) {
                            histogram.record(now - published);
                        }
                    }
                }
            } else if (find(h, len, M_FIELD, TYPE_EVENT.length) >= 0) {
                if (!s.marked) {
                    s.marked = true;
                    marked = marked + 1;
                }
            } else {
                otherFrames++;
            }
        } else if (startsWith(h, len, TYPE_WELCOME)) {
            if (!s.welcomed) {
                s.welcomed = true;
                welcomed = welcomed + 1;
            }
        } else {
            otherFrames++;
            if (startsWith(h, len, TYPE_ERROR)) {
                fail("the daemon sent an error: " + new String(h, 0, len, StandardCharsets.UTF_8));
            }
        }
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
        }
    }

    private static boolean startsWith(byte[] h, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (h[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int find(byte[] h, int len, byte[] needle, int from) {
        for (int i = from; i <= len - needle.length; i++) {
            if (at(h, len, needle, i)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean at(byte[] h, int len, byte[] needle, int i) {
        if (i < 0 || i > len - needle.length) {
            return false;
        }
        for (int j = 0; j < needle.length; j++) {
            if (h[i + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }

    private static long parseLong(byte[] h, int from, int len) {
        boolean negative = from < len && h[from] == '-';
        long v = 0;
        for (int i = negative ? from + 1 : from; i < len && h[i] >= '0' && h[i] <= '9'; i++) {
            v = v * 10 + (h[i] - '0');
        }
        return negative ? -v : v;
    }

    private static void writeFully(SocketChannel ch, byte[] frame) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(frame);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Stops the selector thread (waiting for it) and closes every socket. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Sub s : subs) {
            try {
                s.channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
