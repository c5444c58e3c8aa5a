package io.channelpush.channel.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.channelpush.channel.protocol.FrameCodec;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.Messages;
import io.channelpush.channel.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;
import java.util.Map;

/** {@code channel-daemon.jar status}: asks a running daemon for {@code stats} and prints them as a table. */
final class StatusCommand {
    private static final int TIMEOUT_MILLIS = 5_000;

    private StatusCommand() {
    }

    static int run(DaemonConfig target, PrintStream out, PrintStream err) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target.host(), target.port()), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream o = s.getOutputStream();
            o.write(Messages.hello("channel-daemon status", target.secret()));
            o.write(Messages.simple(MessageType.STATS));
            o.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            while (true) {
                byte[] body = FrameCodec.read(in, target.maxFrameBytes() * 16);
                if (body == null) {
                    err.println("channel-daemon status: the daemon closed the connection");
                    return 1;
                }
                Message m = Message.parse(body);
                if (m.type() == MessageType.ERROR) {
                    err.println("channel-daemon status: " + m.string("code") + ": " + m.string("message"));
                    return 1;
                }
                if (m.type() == MessageType.STATS_REPLY) {
                    print(m.json(), out);
                    return 0;
                }
            }
        } catch (IOException | ProtocolException e) {
            err.println("channel-daemon status: cannot read stats from " + target.host() + ":" + target.port()
                    + ": " + e.getMessage());
            return 1;
        }
    }

    static void print(JsonObject s, PrintStream out) {
        out.println("server             " + s.get("server").getAsString());
        out.println("clients            " + s.get("clients").getAsInt());
        out.println(String.format(Locale.ROOT, "events per second  %.1f", s.get("events_per_second").getAsDouble()));
        out.println("events delivered   " + s.get("events_delivered").getAsLong());
        if (s.has("memory_bytes")) {
            out.println("memory bytes       " + s.get("memory_bytes").getAsLong() + " of "
                    + s.get("memory_limit_bytes").getAsLong() + " (peak " + s.get("memory_peak_bytes").getAsLong() + ")");
        }
        out.println("channels           " + s.getAsJsonObject("channels").size());
        for (Map.Entry<String, JsonElement> e : s.getAsJsonObject("channels").entrySet()) {
            out.println("  " + e.getKey() + "  subscribers=" + e.getValue().getAsInt());
        }
        out.println("queues             " + s.getAsJsonObject("queues").size());
        for (Map.Entry<String, JsonElement> e : s.getAsJsonObject("queues").entrySet()) {
            JsonObject q = e.getValue().getAsJsonObject();
            out.println("  " + e.getKey() + "  depth=" + q.get("depth").getAsInt()
                    + " watchers=" + q.get("watchers").getAsInt());
        }
    }
}
