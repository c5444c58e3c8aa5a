package io.channelpush.channel;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Messages;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A bare protocol-v1 socket for tests: writes raw bytes or frames, reads frames as JSON with a timeout. */
public final class RawClient implements AutoCloseable {
    public final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawClient(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer socket receive buffer to ask for before connecting, or 0 for the system default */
    public RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(5_000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
    }

    public static RawClient hello(int port) throws IOException {
        return hello(port, 0);
    }

    public static RawClient hello(int port, int receiveBuffer) throws IOException {
        RawClient c = new RawClient(port, receiveBuffer);
        c.send(Messages.hello("raw-test", null));
        JsonObject w = c.read();
        if (!"welcome".equals(w.get("type").getAsString())) {
            throw new IOException("expected welcome, got " + w);
        }
        return c;
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void sendJson(String json) throws IOException {
        send(FrameCodec.encode(json));
    }

    /** The next frame as JSON; fails the test after 5 s. */
    public JsonObject read() throws IOException {
        return JsonParser.parseString(new String(readBody(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** The next frame's body, byte for byte; fails the test after 5 s. */
    public byte[] readBody() throws IOException {
        byte[] body;
        try {
            body = FrameCodec.read(in, 16 << 20);
        } catch (io.channelpush.channel.protocol.ProtocolException e) {
            throw new IOException(e);
        }
        if (body == null) {
            throw new EOFException("daemon closed the connection");
        }
        return body;
    }

    /** True when the daemon has closed this connection (EOF or reset) within 5 s. */
    public boolean closedByDaemon() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
