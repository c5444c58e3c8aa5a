package io.channelpush.channel.client;

import com.google.gson.JsonElement;
import io.channelpush.channel.log.RateLimitedLog;
import io.channelpush.channel.protocol.ErrorCode;
import io.channelpush.channel.protocol.Message;
import io.channelpush.channel.protocol.MessageType;
import io.channelpush.channel.protocol.ProtocolException;
import io.channelpush.channel.protocol.RawFrame;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dispatch of the frames a {@link ChannelClient} receives, in one switch: events to their channel's or stream's
 * handler, jobs to their watcher, acknowledgements and history replies to the waiting requests, errors to the log and
 * the listener. Runs on the client's reader thread only (not thread-safe otherwise).
 */
final class Inbound {
    private static final Logger LOG = Logger.getLogger(ChannelClient.class.getName());

    private final ClientOptions options;
    private final ChannelClient.Listener listener;
    private final Interests interests;
    private final StreamCursors streams;
    private final PendingRequests requests;
    private final Runnable reserve;
    /**
     * One line a second per error code at most: some errors come once per request (over_capacity on every
     * publish while the daemon is full), at the pace of whoever drives the node's publishes.
     */
    private final EnumMap<ErrorCode, RateLimitedLog> errorLogs = new EnumMap<>(ErrorCode.class);
    private final RateLimitedLog unknownErrorLog = new RateLimitedLog(LOG, Level.WARNING);
    /** The epoch of the current connection's daemon (null under protocol 1). */
    private String epoch;

    Inbound(ClientOptions options, ChannelClient.Listener listener, Interests interests, StreamCursors streams,
            PendingRequests requests, Runnable reserve) {
        this.options = options;
        this.listener = listener;
        this.interests = interests;
        this.streams = streams;
        this.requests = requests;
        this.reserve = reserve;
        for (ErrorCode code : ErrorCode.values()) {
            errorLogs.put(code, new RateLimitedLog(LOG, Level.WARNING));
        }
    }

    /** A new connection, before its first frame is read. */
    void connection(DaemonConnection conn) {
        epoch = conn.epoch();
    }

    /** An event's data is handed on as the bytes it arrived as; other frames are parsed into a tree. */
    void onFrame(byte[] body) throws ProtocolException {
        AckScan.Ack ack = AckScan.scan(body);
        if (ack != null) {
            requests.onAck(ack.id(), ack.channel(), ack.offset(), epoch);
            return;
        }
        RawFrame raw = RawFrame.scan(body);
        if (raw != null && raw.type() == MessageType.EVENT) {
            onEvent(raw.name(), raw.offset(), raw.data());
        } else {
            onMessage(Message.parse(body));
        }
    }

    private void onEvent(String channel, long offset, byte[] data) {
        if (!streams.onEvent(channel, offset, data, epoch)) {
            interests.onEvent(channel, data);
        }
    }

    private void onMessage(Message m) {
        try {
            switch (m.type()) {
                case EVENT -> {
                    JsonElement offset = m.json().get("offset");
                    onEvent(m.string("channel"), offset != null && offset.isJsonPrimitive() ? offset.getAsLong() : -1,
                            m.element("data").toString().getBytes(StandardCharsets.UTF_8));
                }
                case JOB -> {
                    if (interests.onJob(m)) {
                        reserve.run();
                    }
                }
                case ACK -> requests.onAck(m, epoch);
                case HISTORY_REPLY -> requests.onHistory(m);
                case RESUMED -> {
                    String channel = m.string("channel");
                    String now = m.string("epoch");
                    JsonElement head = m.json().get("offset"); // absent from daemons older than the head answer
                    long headOffset = head != null && head.isJsonPrimitive() && head.getAsJsonPrimitive().isNumber()
                            ? head.getAsLong() : -1;
                    if (streams.onResumed(channel, now, m.element("complete").getAsBoolean(), headOffset,
                            options.address())) {
                        listener.onGap(channel, now);
                    }
                }
                case ERROR -> onError(m);
                case CLAIMED -> claimAnswered(m.string("channel"), true, null);
                case PONG, WELCOME, STATS_REPLY -> {
                }
                default -> LOG.warning(() -> "unexpected " + m.type().wireName() + " from channel daemon; ignored");
            }
        } catch (ProtocolException | RuntimeException e) {
            LOG.warning(() -> "malformed " + m.type().wireName() + " from channel daemon ignored: " + e.getMessage());
        }
    }

    private void claimAnswered(String channel, boolean held, String message) {
        if (interests.claimAnswered(channel, held)) {
            if (held) {
                LOG.info(() -> "holds the claim of channel " + channel + " on channel daemon " + options.address());
            }
            listener.onClaim(channel, held, message);
        }
    }

    private void onError(Message m) throws ProtocolException {
        String code = m.string("code");
        String text = m.string("message");
        if (ErrorCode.NAME_CLAIMED.wireName().equals(code)) {
            claimAnswered(m.string("channel"), false, text);
            return;
        }
        JsonElement id = m.json().get("id");
        ErrorCode c = ErrorCode.fromWire(code);
        // a refused request fails its future, which its caller sees and reports: no log line of its own
        if (id == null || !id.isJsonPrimitive() || !requests.onError(id.getAsLong(), code, text)) {
            (c == null ? unknownErrorLog : errorLogs.get(c)).log(() -> "channel daemon " + options.address()
                    + " reports " + code + ": " + text);
        }
        if (c != null) {
            listener.onError(c, text);
        }
    }
}
