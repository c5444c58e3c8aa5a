package io.channelpush.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread of the harness and the sockets registered with it (each key's attachment is its
 * {@link Handler}), with one read buffer they share. Other threads reach its sockets through {@link #execute}.
 * Thread-safe.
 */
final class NioLoop implements AutoCloseable {

    /** A socket's owner on this loop; called on the loop's thread only. */
    interface Handler {
        /** The socket is ready; {@code shared} is the loop's read buffer, free to use until this returns. */
        void ready(SelectionKey key, ByteBuffer shared);

        /** The loop is stopping: close at once. */
        void abort();
    }

    final Selector selector;
    private final Thread thread;
    private final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    NioLoop(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on this loop's thread. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void run() {
        try {
            while (running) {
                selector.select(100);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    ((Handler) k.attachment()).ready(k, in);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException("harness selector failed", e);
        } finally {
            for (SelectionKey k : selector.keys()) {
                ((Handler) k.attachment()).abort();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
        }
    }

    /** Stops the thread (waiting at most 5 s) and closes what is still registered. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(5000);
    }
}
