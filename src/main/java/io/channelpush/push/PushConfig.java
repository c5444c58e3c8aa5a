package io.channelpush.push;

import io.channelpush.push.auth.ConnectionTokens;
import io.channelpush.push.auth.KeyList;
import io.channelpush.push.bus.NatsBus;
import io.channelpush.push.bus.NatsSecurity;
import io.channelpush.push.bus.NatsStreamSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Settings of one push node. Each setting has a name such as {@code channelpush.worker-id}; its value is taken
 * from, first to last: an explicit setting (the launcher's flags and {@code --set}), the Java system property of
 * that name, the environment variable derived from it ({@code CHANNELPUSH_WORKER_ID}), the servlet context
 * init-param of that name, the default ({@link SettingSources}). A name under {@code channelpush.} (or
 * {@code CHANNELPUSH_}) that is no setting is refused, with the list of valid names: the settings are the
 * {@code public static final String} constants of this class whose value starts with {@code channelpush.}.
 * Immutable.
 *
 * @param workerId this node's id, unique in the cluster; the default is random per start
 * @param channel the channel daemon's {@code host:port}; unused when {@code natsServers} is set
 * @param channelSecret the daemon's shared secret, or null
 * @param maxContentBytes largest publish content, in UTF-8 bytes (413 beyond it)
 * @param maxClientMessageBytes largest WebSocket message a client may send (close 1009 beyond it)
 * @param maxGroupsPerConnection groups one connection may join
 * @param maxGroupIdLength longest group id, in characters
 * @param sendQueueBytes bytes queued for one WebSocket client before it is closed as too slow (1013)
 * @param channelBufferBytes bytes of publishes held while the bus is unreachable (503 beyond it)
 * @param publishKeys HMAC keys of the publisher API, {@code id:secret[,id:secret...]}, or null
 * @param publishTokens bearer tokens of the publisher API, {@code token[,token...]}, or null
 * @param allowedOrigins WebSocket Origin patterns, comma-separated, {@code *} matching any characters
 * @param allowMissingOrigin whether a handshake without an Origin header (non-browser clients) is accepted
 * @param maxConnections most WebSocket connections on this node; more handshakes are refused
 * @param maxCommandsPerSecond WebSocket messages per second a connection may send
 * @param pingIntervalSeconds how often the node pings each client; one that misses two pongs is closed
 * @param demoEnabled whether the demo page at {@code /demo/} is served; off by default (the launcher turns it on)
 * @param natsServers {@code nats://host:port[,nats://host:port...]} to use NATS as the bus, or null for the
 *                    channel daemon
 * @param publisherOnIoThread whether publishes are answered on Undertow's I/O thread (WildFly, the launcher)
 *                            instead of going through the servlet on a worker thread
 * @param writeDelayMillis how long a client's messages may wait for more to share one socket write (0: write at
 *                         once; a few tens of ms multiply fan-out throughput when broadcasts come faster)
 * @param clientGroupMessages whether WebSocket clients may {@code send_to_group} (any client may then message any
 *                            group: the group id is the only protection); on by default, as in the seed
 * @param publishMaxClockSkewSeconds how far a signed request's timestamp may be from the node's clock (1 to 300)
 * @param publishReplayCacheNonces most nonces of signed requests remembered at once (429 beyond)
 * @param natsSecurity how the node authenticates to NATS and checks its TLS certificate (the
 *                     {@code channelpush.nats-*} settings)
 * @param maxHeaderBytes largest HTTP request head (request line and headers, a WebSocket handshake's too) the
 *                       launcher's listeners read (431 beyond); in WildFly the http-listener's max-header-size
 * @param maxHeaders most header lines in one request (431 beyond); in WildFly the http-listener's max-headers
 * @param requestParseTimeoutMillis time from a request's first byte until its head is complete (launcher)
 * @param readTimeoutMillis time an HTTP connection may wait for its next byte: a pause in a body, or a keep-alive
 *                          connection idle between requests (launcher; off once a WebSocket is open)
 * @param requestTimeoutMillis time from the head of a request with a body until its response (WildFly and the
 *                             launcher; not WebSocket connections, which the pings keep in check)
 * @param connectionKeys HMAC keys of WebSocket connection tokens (JWT, HS256), {@code id:secret[,id:secret...]},
 *                       or null for anonymous connections ({@link ConnectionTokens})
 * @param maxUsersWithGroups most users with groups given through the publisher ({@code uid=U&add_group=G}) that a
 *                           node remembers (507 beyond); kept until removed, with or without connections
 * @param presenceHeartbeatMillis how often a node announces itself to the others (presence membership)
 * @param presenceTimeoutMillis a node not heard from for this long stops counting in presence answers (more than
 *                              twice the heartbeat)
 * @param presenceWaitMillis longest wait for the nodes' answers to a presence query ({@code "partial":true} beyond)
 * @param publishAckTimeoutMillis longest wait for the bus to acknowledge a publish: the publisher answers 503 or
 *                                504 beyond it (README, "Acknowledged publishes")
 * @param maxRecoverMessages most messages one {@code recover} command replays; a stream with more to replay is
 *                           answered {@code false} (the client resyncs)
 * @param maxHistoryRequests most history requests this node has in flight to the bus at once (one per running
 *                           recovery); a {@code recover} beyond it waits its turn
 * @param natsStreams the JetStream streams the node creates when missing (the {@code channelpush.nats-stream-*}
 *                    settings; {@link NatsStreamSettings})
 * @param presenceEvents which groups' JSON members hear users join and leave: {@code off}, {@code all} or group id
 *                       prefixes separated by commas ({@link io.channelpush.push.presence.EventScope})
 */
public record PushConfig(String workerId, String channel, String channelSecret, int maxContentBytes,
                         int maxClientMessageBytes, int maxGroupsPerConnection, int maxGroupIdLength,
                         long sendQueueBytes, long channelBufferBytes, String publishKeys, String publishTokens,
                         String allowedOrigins, boolean allowMissingOrigin, int maxConnections,
                         int maxCommandsPerSecond, int pingIntervalSeconds, boolean demoEnabled,
                         String natsServers, boolean publisherOnIoThread, int writeDelayMillis,
                         boolean clientGroupMessages, int publishMaxClockSkewSeconds,
                         int publishReplayCacheNonces, NatsSecurity natsSecurity, int maxHeaderBytes,
                         int maxHeaders, int requestParseTimeoutMillis, int readTimeoutMillis,
                         int requestTimeoutMillis, String connectionKeys, int maxUsersWithGroups,
                         int presenceHeartbeatMillis, int presenceTimeoutMillis, int presenceWaitMillis,
                         int publishAckTimeoutMillis, int maxRecoverMessages, int maxHistoryRequests,
                         NatsStreamSettings natsStreams, String presenceEvents) {

    public static final String WORKER_ID = "channelpush.worker-id";
    public static final String CHANNEL = "channelpush.channel";
    public static final String CHANNEL_SECRET = "channelpush.channel-secret";
    public static final String MAX_CONTENT_BYTES = "channelpush.max-content-bytes";
    public static final String MAX_CLIENT_MESSAGE_BYTES = "channelpush.max-client-message-bytes";
    public static final String MAX_GROUPS_PER_CONNECTION = "channelpush.max-groups-per-connection";
    public static final String MAX_GROUP_ID_LENGTH = "channelpush.max-group-id-length";
    public static final String SEND_QUEUE_BYTES = "channelpush.send-queue-bytes";
    public static final String CHANNEL_BUFFER_BYTES = "channelpush.channel-buffer-bytes";
    public static final String PUBLISH_KEYS = "channelpush.publish-keys";
    public static final String PUBLISH_TOKENS = "channelpush.publish-tokens";
    public static final String ALLOWED_ORIGINS = "channelpush.allowed-origins";
    public static final String ALLOW_MISSING_ORIGIN = "channelpush.allow-missing-origin";
    public static final String MAX_CONNECTIONS = "channelpush.max-connections";
    public static final String MAX_COMMANDS_PER_SECOND = "channelpush.max-commands-per-second";
    public static final String PING_INTERVAL_SECONDS = "channelpush.ping-interval-seconds";
    public static final String DEMO_ENABLED = "channelpush.demo-enabled";
    public static final String BUS = "channelpush.bus";
    public static final String WRITE_DELAY_MS = "channelpush.write-delay-ms";
    public static final String PUBLISHER_ON_IO_THREAD = "channelpush.publisher-on-io-thread";
    public static final String CLIENT_GROUP_MESSAGES = "channelpush.client-group-messages";
    public static final String PUBLISH_MAX_CLOCK_SKEW_SECONDS = "channelpush.publish-max-clock-skew-seconds";
    public static final String PUBLISH_REPLAY_CACHE_NONCES = "channelpush.publish-replay-cache-nonces";
    public static final String NATS_USER = "channelpush.nats-user";
    public static final String NATS_PASSWORD = "channelpush.nats-password";
    public static final String NATS_TOKEN = "channelpush.nats-token";
    public static final String NATS_CREDS_FILE = "channelpush.nats-creds-file";
    public static final String NATS_NKEY_FILE = "channelpush.nats-nkey-file";
    public static final String NATS_TRUST_STORE = "channelpush.nats-trust-store";
    public static final String NATS_TRUST_STORE_PASSWORD = "channelpush.nats-trust-store-password";
    public static final String NATS_KEY_STORE = "channelpush.nats-key-store";
    public static final String NATS_KEY_STORE_PASSWORD = "channelpush.nats-key-store-password";
    public static final String MAX_HEADER_BYTES = "channelpush.max-header-bytes";
    public static final String MAX_HEADERS = "channelpush.max-headers";
    public static final String REQUEST_PARSE_TIMEOUT_MS = "channelpush.request-parse-timeout-ms";
    public static final String READ_TIMEOUT_MS = "channelpush.read-timeout-ms";
    public static final String REQUEST_TIMEOUT_MS = "channelpush.request-timeout-ms";
    public static final String CONNECTION_KEYS = "channelpush.connection-keys";
    public static final String MAX_USERS_WITH_GROUPS = "channelpush.max-users-with-groups";
    public static final String PRESENCE_HEARTBEAT_MS = "channelpush.presence-heartbeat-ms";
    public static final String PRESENCE_TIMEOUT_MS = "channelpush.presence-timeout-ms";
    public static final String PRESENCE_WAIT_MS = "channelpush.presence-wait-ms";
    public static final String PRESENCE_EVENTS = "channelpush.presence-events";
    public static final String PUBLISH_ACK_TIMEOUT_MS = "channelpush.publish-ack-timeout-ms";
    public static final String MAX_RECOVER_MESSAGES = "channelpush.max-recover-messages";
    public static final String MAX_HISTORY_REQUESTS = "channelpush.max-history-requests";
    public static final String NATS_STREAM_MAX_MESSAGES = "channelpush.nats-stream-max-messages";
    public static final String NATS_STREAM_MAX_BYTES = "channelpush.nats-stream-max-bytes";
    public static final String NATS_STREAM_MAX_AGE_SECONDS = "channelpush.nats-stream-max-age-seconds";
    public static final String NATS_STREAM_REPLICAS = "channelpush.nats-stream-replicas";
    public static final String NATS_STREAM_DUPLICATE_WINDOW_SECONDS = "channelpush.nats-stream-duplicate-window-seconds";

    /** What a worker id may be, for messages. */
    public static final String WORKER_ID_RULE = "1-64 of A-Z a-z 0-9 . _ : -";
    static final String PREFIX = "channelpush.";
    static final String ENV_PREFIX = "CHANNELPUSH_";

    public PushConfig {
        if (!isValidWorkerId(workerId)) {
            throw new IllegalArgumentException(WORKER_ID + " must be " + WORKER_ID_RULE + ", got \"" + workerId + "\"");
        }
        positive(MAX_CONTENT_BYTES, maxContentBytes);
        positive(MAX_CLIENT_MESSAGE_BYTES, maxClientMessageBytes);
        positive(MAX_GROUPS_PER_CONNECTION, maxGroupsPerConnection);
        positive(MAX_GROUP_ID_LENGTH, maxGroupIdLength);
        positive(MAX_USERS_WITH_GROUPS, maxUsersWithGroups);
        positive(PRESENCE_HEARTBEAT_MS, presenceHeartbeatMillis);
        positive(PRESENCE_WAIT_MS, presenceWaitMillis);
        positive(PUBLISH_ACK_TIMEOUT_MS, publishAckTimeoutMillis);
        positive(MAX_RECOVER_MESSAGES, maxRecoverMessages);
        positive(MAX_HISTORY_REQUESTS, maxHistoryRequests);
        try {
            io.channelpush.push.presence.EventScope.parse(presenceEvents);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PRESENCE_EVENTS + ": " + e.getMessage(), e);
        }
        if (publishAckTimeoutMillis >= requestTimeoutMillis) {
            throw new IllegalArgumentException(PUBLISH_ACK_TIMEOUT_MS + " must be less than " + REQUEST_TIMEOUT_MS
                    + " (a publish is answered 504 before the request's deadline cuts it), got "
                    + publishAckTimeoutMillis + " and " + requestTimeoutMillis);
        }
        if (presenceTimeoutMillis <= 2 * presenceHeartbeatMillis) {
            throw new IllegalArgumentException(PRESENCE_TIMEOUT_MS + " must be more than twice "
                    + PRESENCE_HEARTBEAT_MS + " (one lost heartbeat must not drop a node), got "
                    + presenceTimeoutMillis + " and " + presenceHeartbeatMillis);
        }
        positive(SEND_QUEUE_BYTES, sendQueueBytes);
        positive(CHANNEL_BUFFER_BYTES, channelBufferBytes);
        positive(MAX_CONNECTIONS, maxConnections);
        positive(MAX_COMMANDS_PER_SECOND, maxCommandsPerSecond);
        positive(PING_INTERVAL_SECONDS, pingIntervalSeconds);
        positive(MAX_HEADER_BYTES, maxHeaderBytes);
        positive(MAX_HEADERS, maxHeaders);
        positive(REQUEST_PARSE_TIMEOUT_MS, requestParseTimeoutMillis);
        positive(READ_TIMEOUT_MS, readTimeoutMillis);
        positive(REQUEST_TIMEOUT_MS, requestTimeoutMillis);
        if (writeDelayMillis < 0 || writeDelayMillis > 1000) {
            throw new IllegalArgumentException(WRITE_DELAY_MS + " must be 0 to 1000, got " + writeDelayMillis);
        }
        if (publishMaxClockSkewSeconds < 1 || publishMaxClockSkewSeconds > 300) {
            throw new IllegalArgumentException(PUBLISH_MAX_CLOCK_SKEW_SECONDS + " must be 1 to 300, got "
                    + publishMaxClockSkewSeconds);
        }
        positive(PUBLISH_REPLAY_CACHE_NONCES, publishReplayCacheNonces);
        if (publishKeys != null) {
            try {
                KeyList.parse(publishKeys, "publish");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PUBLISH_KEYS + ": " + e.getMessage());
            }
        }
        if (connectionKeys != null) {
            try {
                ConnectionTokens.parseKeys(connectionKeys);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(CONNECTION_KEYS + ": " + e.getMessage());
            }
        }
        if (natsServers != null) {
            try {
                NatsBus.parseServers(natsServers);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(BUS + ": " + e.getMessage());
            }
        }
    }

    /**
     * Reads the settings.
     *
     * @param initParam the servlet context's init-params (name to value, or null)
     * @throws IllegalArgumentException naming the setting when a value is malformed
     */
    public static PushConfig load(Function<String, String> initParam) {
        return load(SettingSources.system(Map.of(), initParam, List.of()));
    }

    /**
     * Reads the settings from {@code sources}, each unset one at its default ({@link PushConfigReader}).
     *
     * @throws IllegalArgumentException naming the setting when a value is malformed, or naming every unknown
     *                                  {@code channelpush.} name with the list of valid ones
     */
    public static PushConfig load(SettingSources sources) {
        return PushConfigReader.read(sources);
    }

    /** Whether {@code id} may be a worker id ({@link #WORKER_ID_RULE}). */
    public static boolean isValidWorkerId(String id) {
        // a loop, not a regular expression: the publisher checks every targeted push's worker id on an I/O thread
        int n = id.length();
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * The start-up or first-request warning for a publisher reachable at {@code address} without keys or tokens.
     *
     * @return the log line, or null when the publisher is authenticated or the address is a loopback one
     */
    public String openPublisherWarning(String address) {
        if (publishKeys != null || publishTokens != null || loopback(address)) {
            return null;
        }
        return "SECURITY: the publisher of worker " + workerId + " is reachable on " + address + " without "
                + "authentication: anyone who reaches it can push to every client. Set " + PUBLISH_KEYS
                + " (HMAC keys, e.g. k1:<secret>) or " + PUBLISH_TOKENS + " (bearer tokens).";
    }

    /**
     * The start-up warning for a node whose publisher is authenticated while any WebSocket client may still
     * message any group.
     *
     * @return the log line, or null when the publisher is open or client group messages are off
     */
    public String clientGroupMessagesWarning() {
        if (!clientGroupMessages || publishKeys == null && publishTokens == null) {
            return null;
        }
        return "SECURITY: the publisher of worker " + workerId + " needs a key or token, but any WebSocket client "
                + "can send_to_group to any group whose id it knows or guesses. Set " + CLIENT_GROUP_MESSAGES
                + "=false unless clients are meant to message groups.";
    }

    private static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Every setting's name, from this class's constants: each {@code public static final String} starting with
     * {@code channelpush.}, so that a setting added as such a constant is known at once. */
    public static List<String> settingNames() {
        List<String> names = new ArrayList<>();
        for (Field f : PushConfig.class.getFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
                try {
                    if (f.get(null) instanceof String v && v.startsWith(PREFIX)) {
                        names.add(v);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("public constant " + f.getName() + " not readable", e);
                }
            }
        }
        return List.copyOf(names);
    }

    /** The message refusing unknown settings, with the valid names. */
    public static String unknownSettingsMessage(List<String> unknown) {
        return "unknown setting" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                + " (misspelt?); valid settings: " + String.join(", ", settingNames())
                + " (as environment variables: the name in upper case, . and - as _, e.g. "
                + envName(WORKER_ID) + ")";
    }

    /** {@code channelpush.worker-id} becomes {@code CHANNELPUSH_WORKER_ID}. */
    public static String envName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
