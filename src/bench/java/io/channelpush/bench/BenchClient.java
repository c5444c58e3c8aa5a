package io.channelpush.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One harness WebSocket client, whatever transport carries it: remembers its welcome ids, completes futures on
 * welcome and on acks, and hands every other message to the shared {@link Deliveries}. Thread-safe: a transport
 * calls the {@code on...} methods from one thread per connection; {@link #send} and {@link #close} from any.
 */
final class BenchClient {
    private static final Pattern WELCOME = Pattern.compile("workerID:(\\S+) connectionID:(\\d+) connected\n");

    /** The socket under a client, as its transport sees it. */
    interface Link {
        void send(String text);

        /** Starts a normal close (1000). */
        void close();
    }

    final CompletableFuture<BenchClient> welcomed = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile CompletableFuture<Void> acked = new CompletableFuture<>();
    private final Deliveries deliveries;
    private volatile Link link;
    volatile String workerId;
    volatile long connectionId;

    BenchClient(Deliveries deliveries) {
        this.deliveries = deliveries;
    }

    void opened(Link l) {
        link = l;
    }

    /** A whole text message. */
    void onText(String text) {
        if (workerId == null) {
            Matcher m = WELCOME.matcher(text);
            if (m.matches()) {
                workerId = m.group(1);
                connectionId = Long.parseLong(m.group(2));
                welcomed.complete(this);
                return;
            }
        }
        if (text.startsWith("{\"type\":\"ack\"")) {
            acked.complete(null);
        } else if (text.startsWith("{\"type\":\"error\"")) {
            acked.completeExceptionally(new IllegalStateException(text));
            deliveries.error(text);
        } else {
            deliveries.record(text);
        }
    }

    /**
     * A whole text message as UTF-8 bytes {@code [from, from + length)} of {@code buf} (absolute, the buffer's
     * position is not used): deliveries are counted without building a string.
     */
    void onText(ByteBuffer buf, int from, int length) {
        if (workerId != null && length > 0 && buf.get(from) != '{') {
            deliveries.record(buf, from, length);
            return;
        }
        byte[] bytes = new byte[length];
        buf.get(from, bytes);
        onText(new String(bytes, StandardCharsets.UTF_8));
    }

    void onError(Throwable cause) {
        welcomed.completeExceptionally(cause);
    }

    void onClose(int status, String reason) {
        welcomed.completeExceptionally(new IllegalStateException("closed before the welcome: " + status + " " + reason));
        deliveries.closed(status, reason);
        closed.complete(null);
    }

    void send(String text) {
        link.send(text);
    }

    void close() {
        Link l = link;
        if (l != null) {
            l.close();
        }
    }
}
