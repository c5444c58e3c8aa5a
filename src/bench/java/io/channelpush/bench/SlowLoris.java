package io.channelpush.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Slow-loris sockets on one thread: half of them send half a request line ({@code GET /?content=slow HTTP/1.}),
 * half a complete request line and half a header; then each trickles one more byte every second, never finishing.
 * They alternate between the node's WebSocket and publisher ports. A socket's outcome is what the node did:
 * answered (its HTTP status), closed it (EOF), reset it, or nothing until the end. Confined to the thread that
 * calls {@link #run}.
 */
final class SlowLoris {
    private static final byte[] HALF_LINE = "GET /?content=slow HTTP/1.".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] HALF_HEADERS = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            .getBytes(StandardCharsets.ISO_8859_1);

    private record Loris(SocketChannel ch, long openedNanos) {
    }

    private final List<Loris> open = new ArrayList<>();
    private final Tally tally;
    private final List<Long> closeSeconds = new ArrayList<>();
    private int connectFailures;
    private long longestOpen;

    SlowLoris(Tally tally) {
        this.tally = tally;
    }

    /** Opens {@code count} sockets, then trickles until {@code stop} or the node's death; closes what is left. */
    void run(int count, InetSocketAddress wsPort, InetSocketAddress httpPort, BooleanSupplier stop,
             BooleanSupplier nodeAlive) {
        for (int i = 0; i < count && !stop.getAsBoolean(); i++) {
            try {
                SocketChannel ch = SocketChannel.open();
                ch.socket().connect(i % 2 == 0 ? wsPort : httpPort, 10_000);
                ch.write(ByteBuffer.wrap(i % 4 < 2 ? HALF_LINE : HALF_HEADERS));
                ch.configureBlocking(false);
                open.add(new Loris(ch, System.nanoTime()));
            } catch (IOException e) {
                connectFailures++;
            }
        }
        ByteBuffer in = ByteBuffer.allocate(256);
        ByteBuffer one = ByteBuffer.allocate(1);
        long nextTick = System.nanoTime();
        while (!stop.getAsBoolean() && nodeAlive.getAsBoolean() && !open.isEmpty()) {
            if (System.nanoTime() - nextTick >= 0) {
                nextTick += TimeUnit.SECONDS.toNanos(1);
                open.removeIf(l -> trickle(l, in, one));
            }
            try {
                Thread.sleep(20); // pacing of the trickle, not synchronization
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean alive = nodeAlive.getAsBoolean();
        for (Loris l : open) {
            longestOpen = Math.max(longestOpen, seconds(l));
            tally.add(alive ? "still open at the end, never timed out" : "open until the node died");
            close(l);
        }
        if (connectFailures > 0) {
            tally.add("connect failed");
        }
    }

    /** Reads what the node said, then writes one byte; true when the socket is finished with. */
    private boolean trickle(Loris l, ByteBuffer in, ByteBuffer one) {
        try {
            in.clear();
            int n = l.ch.read(in);
            if (n < 0) {
                finished(l, "closed by the node (EOF)");
                return true;
            }
            if (n > 0) {
                String head = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
                String[] parts = head.split(" ", 3);
                finished(l, parts.length >= 2 && parts[0].startsWith("HTTP/") ? "answered HTTP " + parts[1]
                        : "answered something else");
                return true;
            }
            one.clear();
            one.put((byte) 'a').flip();
            l.ch.write(one);
            return false;
        } catch (IOException e) {
            finished(l, "reset by the node");
            return true;
        }
    }

    private void finished(Loris l, String outcome) {
        tally.add(outcome);
        closeSeconds.add(seconds(l));
        close(l);
    }

    private static long seconds(Loris l) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - l.openedNanos);
    }

    /** Seconds from open to the node's answer or close, for the sockets the node ended: "min/median/max". */
    String closeTimes() {
        if (closeSeconds.isEmpty()) {
            return "none ended by the node; open ones held up to " + longestOpen + " s";
        }
        List<Long> s = new ArrayList<>(closeSeconds);
        s.sort(null);
        return "min " + s.get(0) + " s, median " + s.get(s.size() / 2) + " s, max " + s.get(s.size() - 1) + " s";
    }

    private static void close(Loris l) {
        try {
            l.ch.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
