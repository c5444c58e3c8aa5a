package io.channelpush.push.auth;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one form of an HMAC key setting, shared by {@code channelpush.publish-keys} and
 * {@code channelpush.connection-keys}: {@code id:secret[,id:secret...]}, several keys active at once (rotation),
 * each id once, each secret at least {@value #MIN_SECRET_BYTES} bytes in UTF-8 (HMAC-SHA256 takes a key as long as
 * its output: RFC 2104 section 3, RFC 7518 section 3.2). Stateless.
 */
public final class KeyList {
    /** Fewest secret bytes of a key. */
    public static final int MIN_SECRET_BYTES = 32;

    private KeyList() {
    }

    /**
     * Parses {@code setting}.
     *
     * @param what the keys' name in messages ("publish", "connection")
     * @return key id to secret, in the setting's order
     * @throws IllegalArgumentException for a malformed list, a repeated id or a secret shorter than
     *                                  {@value #MIN_SECRET_BYTES} bytes; the message says which and how to fix it
     */
    public static Map<String, String> parse(String setting, String what) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : setting.split(",")) {
            String p = pair.strip();
            int colon = p.indexOf(':');
            if (colon <= 0 || colon == p.length() - 1) {
                throw new IllegalArgumentException(what + " keys must be id:secret[,id:secret...]");
            }
            String id = p.substring(0, colon).strip();
            String secret = p.substring(colon + 1).strip();
            if (keys.put(id, secret) != null) {
                throw new IllegalArgumentException(what + " key id " + id + " appears twice");
            }
            int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(what + " key " + id + " has " + bytes + " bytes; HMAC-SHA256 needs "
                        + "at least " + MIN_SECRET_BYTES + " (e.g. openssl rand -base64 32)");
            }
        }
        return keys;
    }
}
