package io.channelpush.push;

import io.channelpush.push.auth.PublishAuthenticator;
import io.channelpush.push.bus.NatsSecurity;
import io.channelpush.push.bus.NatsStreamSettings;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Function;

/**
 * Reads a {@link PushConfig} from its {@link SettingSources}: each setting's default (the table of defaults is
 * {@link #read}), and the parsing of whole numbers and booleans, with a message naming the setting when a value is
 * malformed. The ranges and the rules between settings are checked by {@link PushConfig}'s constructor. Stateless.
 */
final class PushConfigReader {
    private PushConfigReader() {
    }

    /**
     * @throws IllegalArgumentException naming the setting when a value is malformed, or naming every unknown
     *                                  {@code channelpush.} name with the list of valid ones
     */
    static PushConfig read(SettingSources sources) {
        sources.checkNames();
        Function<String, String> get = sources::value;
        String worker = get.apply(PushConfig.WORKER_ID);
        String channel = get.apply(PushConfig.CHANNEL);
        return new PushConfig(
                worker == null ? randomWorkerId() : worker,
                channel == null ? "127.0.0.1:2206" : channel,
                get.apply(PushConfig.CHANNEL_SECRET),
                (int) number(get, PushConfig.MAX_CONTENT_BYTES, 256 * 1024),
                (int) number(get, PushConfig.MAX_CLIENT_MESSAGE_BYTES, 64 * 1024),
                (int) number(get, PushConfig.MAX_GROUPS_PER_CONNECTION, 100),
                (int) number(get, PushConfig.MAX_GROUP_ID_LENGTH, 128),
                number(get, PushConfig.SEND_QUEUE_BYTES, 1 << 20),
                number(get, PushConfig.CHANNEL_BUFFER_BYTES, 8 << 20),
                get.apply(PushConfig.PUBLISH_KEYS),
                get.apply(PushConfig.PUBLISH_TOKENS),
                get.apply(PushConfig.ALLOWED_ORIGINS) == null ? "*" : get.apply(PushConfig.ALLOWED_ORIGINS),
                bool(get, PushConfig.ALLOW_MISSING_ORIGIN, true),
                (int) number(get, PushConfig.MAX_CONNECTIONS, 100_000),
                (int) number(get, PushConfig.MAX_COMMANDS_PER_SECOND, 50),
                (int) number(get, PushConfig.PING_INTERVAL_SECONDS, 25),
                bool(get, PushConfig.DEMO_ENABLED, false),
                get.apply(PushConfig.BUS),
                bool(get, PushConfig.PUBLISHER_ON_IO_THREAD, true),
                (int) number(get, PushConfig.WRITE_DELAY_MS, 0),
                bool(get, PushConfig.CLIENT_GROUP_MESSAGES, true),
                (int) number(get, PushConfig.PUBLISH_MAX_CLOCK_SKEW_SECONDS,
                        PublishAuthenticator.DEFAULT_SKEW_SECONDS),
                (int) number(get, PushConfig.PUBLISH_REPLAY_CACHE_NONCES,
                        PublishAuthenticator.DEFAULT_MAX_NONCES),
                natsSecurity(get),
                (int) number(get, PushConfig.MAX_HEADER_BYTES, 64 * 1024),
                (int) number(get, PushConfig.MAX_HEADERS, 100),
                (int) number(get, PushConfig.REQUEST_PARSE_TIMEOUT_MS, 5_000),
                (int) number(get, PushConfig.READ_TIMEOUT_MS, 10_000),
                (int) number(get, PushConfig.REQUEST_TIMEOUT_MS, 15_000),
                get.apply(PushConfig.CONNECTION_KEYS),
                (int) number(get, PushConfig.MAX_USERS_WITH_GROUPS, 100_000),
                (int) number(get, PushConfig.PRESENCE_HEARTBEAT_MS, 1_000),
                (int) number(get, PushConfig.PRESENCE_TIMEOUT_MS, 3_000),
                (int) number(get, PushConfig.PRESENCE_WAIT_MS, 1_000),
                (int) number(get, PushConfig.PUBLISH_ACK_TIMEOUT_MS, 5_000),
                (int) number(get, PushConfig.MAX_RECOVER_MESSAGES, 100_000),
                (int) number(get, PushConfig.MAX_HISTORY_REQUESTS, 64),
                natsStreams(get),
                get.apply(PushConfig.PRESENCE_EVENTS) == null ? "off" : get.apply(PushConfig.PRESENCE_EVENTS));
    }

    private static NatsStreamSettings natsStreams(Function<String, String> get) {
        NatsStreamSettings d = NatsStreamSettings.DEFAULTS;
        try {
            return new NatsStreamSettings(number(get, PushConfig.NATS_STREAM_MAX_MESSAGES, d.maxMessages()),
                    number(get, PushConfig.NATS_STREAM_MAX_BYTES, d.maxBytes()),
                    Duration.ofSeconds(number(get, PushConfig.NATS_STREAM_MAX_AGE_SECONDS, d.maxAge().toSeconds())),
                    (int) number(get, PushConfig.NATS_STREAM_REPLICAS, d.replicas()),
                    Duration.ofSeconds(number(get, PushConfig.NATS_STREAM_DUPLICATE_WINDOW_SECONDS,
                            d.duplicateWindow().toSeconds())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("channelpush.nats-stream-* settings: " + e.getMessage(), e);
        }
    }

    private static NatsSecurity natsSecurity(Function<String, String> get) {
        try {
            return new NatsSecurity(get.apply(PushConfig.NATS_USER), get.apply(PushConfig.NATS_PASSWORD),
                    get.apply(PushConfig.NATS_TOKEN), get.apply(PushConfig.NATS_CREDS_FILE),
                    get.apply(PushConfig.NATS_NKEY_FILE), get.apply(PushConfig.NATS_TRUST_STORE),
                    get.apply(PushConfig.NATS_TRUST_STORE_PASSWORD), get.apply(PushConfig.NATS_KEY_STORE),
                    get.apply(PushConfig.NATS_KEY_STORE_PASSWORD));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("channelpush.nats-* settings: " + e.getMessage(), e);
        }
    }

    /** A random id such as {@code w-k3x9q2}: two nodes get the same one by accident with odds of 1 in 2 billion. */
    static String randomWorkerId() {
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder("w-");
        for (int i = 0; i < 6; i++) {
            b.append(Character.forDigit(r.nextInt(36), 36));
        }
        return b.toString();
    }

    private static long number(Function<String, String> get, String name, long dflt) {
        String v = get.apply(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got \"" + v + "\"");
        }
    }

    private static boolean bool(Function<String, String> get, String name, boolean dflt) {
        String v = get.apply(name);
        if (v == null) {
            return dflt;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(name + " must be true or false, got \"" + v + "\"");
    }
}
