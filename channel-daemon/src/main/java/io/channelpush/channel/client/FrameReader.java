package io.channelpush.channel.client;

import io.channelpush.channel.protocol.FrameDecoder;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The reading half of a {@link DaemonConnection}: frames from a non-blocking channel, waiting on a selector of its
 * own (the writers wait on another one), many frames per read. Silence longer than the read timeout fails as
 * {@link SocketTimeoutException}. One reading thread; {@link #wakeup} and {@link #close} from any thread (a reader
 * woken or closed meanwhile fails with an {@link IOException}).
 */
final class FrameReader implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final FrameDecoder decoder;
    private final long timeoutNanos;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024).flip();

    FrameReader(SocketChannel channel, int maxFrameBytes, Duration readTimeout) throws IOException {
        this.channel = channel;
        this.decoder = new FrameDecoder(maxFrameBytes);
        this.timeoutNanos = readTimeout.toNanos();
        this.selector = Selector.open();
        try {
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /** The next frame's body. @throws EOFException when the daemon closed the connection */
    byte[] next() throws IOException, ProtocolException {
        while (true) {
            byte[] body = decoder.next(buffer);
            if (body != null) {
                return body;
            }
            buffer.clear();
            int n = channel.read(buffer);
            long deadline = System.nanoTime() + timeoutNanos;
            while (n == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    buffer.flip();
                    throw new SocketTimeoutException("nothing from the channel daemon for "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                try {
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    selector.selectedKeys().clear();
                } catch (ClosedSelectorException e) {
                    throw new SocketException("connection to the channel daemon closed");
                }
                n = channel.read(buffer);
            }
            buffer.flip();
            if (n < 0) {
                throw new EOFException("channel daemon closed the connection");
            }
        }
    }

    /** Wakes a reader waiting for bytes (the channel was closed: its next read fails). */
    void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
