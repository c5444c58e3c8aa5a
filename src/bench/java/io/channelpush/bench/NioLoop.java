package io.channelpush.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread of the harness and the sockets registered with it (each key's attachment is its
 * {@link Handler}), with one read buffer they share. Other threads reach its sockets through {@link #execute}.
 * Thread-safe.
 */
final class NioLoop implements AutoCloseable {

    /**
     * A socket's owner on this loop, called on the loop's thread only. The loop finishes connects (then reads are
     * of interest) and hands every exception of these calls to {@link #failed}.
     */
    interface Handler {
        void connected() throws IOException;

        void writable() throws IOException;

        /** @param shared the loop's read buffer, free to use until this returns */
        void readable(ByteBuffer shared) throws IOException;

        /** The one place a socket's failures go: close it and tell its owner. */
        void failed(Exception e);

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
                    ready(k);
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

    private void ready(SelectionKey k) {
        Handler h = (Handler) k.attachment();
        try {
            if (k.isConnectable()) {
                ((SocketChannel) k.channel()).finishConnect();
                k.interestOps(SelectionKey.OP_READ);
                h.connected();
                return;
            }
            if (k.isValid() && k.isWritable()) {
                h.writable();
            }
            if (k.isValid() && k.isReadable()) {
                h.readable(in);
            }
        } catch (IOException | RuntimeException e) {
            h.failed(e);
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
