package io.channelpush.push.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs publisher requests; the server verifies with the same code. Depends on the JDK only, so clients may call
 * it or copy it. Stateless; thread-safe.
 *
 * <p>The signature is the lower-case hex HMAC-SHA256, keyed with the shared secret, of
 * <pre>
 * METHOD \n PATH \n CANONICAL_QUERY \n hex(SHA-256(body)) \n TIMESTAMP \n NONCE
 * </pre>
 * where CANONICAL_QUERY is the URL's query parameters decoded, sorted by name then value, re-encoded with RFC 3986
 * percent-encoding (only {@code A-Z a-z 0-9 - . _ ~} stay as they are) and joined as {@code name=value&...};
 * TIMESTAMP is Unix seconds; NONCE is 8 to 64 characters of {@code A-Z a-z 0-9 _ -}, new for every request.
 * The request carries them in the headers {@value #KEY_ID}, {@value #TIMESTAMP}, {@value #NONCE} and
 * {@value #SIGNATURE}.
 */
public final class PublishSigner {
    public static final String KEY_ID = "X-Push-Key-Id";
    public static final String TIMESTAMP = "X-Push-Timestamp";
    public static final String NONCE = "X-Push-Nonce";
    public static final String SIGNATURE = "X-Push-Signature";

    private PublishSigner() {
    }

    /**
     * The four headers for one request.
     *
     * @param rawQuery the query string as sent (percent-encoded, without {@code ?}), or null
     */
    public static Map<String, String> headers(String keyId, String secret, String method, String path,
                                              String rawQuery, byte[] body, long epochSeconds, String nonce) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(KEY_ID, keyId);
        h.put(TIMESTAMP, Long.toString(epochSeconds));
        h.put(NONCE, nonce);
        h.put(SIGNATURE, signature(secret, stringToSign(method, path, rawQuery, body, epochSeconds, nonce)));
        return h;
    }

    public static String stringToSign(String method, String path, String rawQuery, byte[] body, long epochSeconds,
                                      String nonce) {
        return method + "\n" + path + "\n" + canonicalQuery(rawQuery) + "\n" + sha256Hex(body) + "\n"
                + epochSeconds + "\n" + nonce;
    }

    public static String signature(String secret, String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0] : body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * Decodes, sorts and re-encodes query parameters.
     *
     * @throws IllegalArgumentException for a malformed percent-escape
     */
    public static String canonicalQuery(String rawQuery) {
        List<String[]> pairs = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : FormData.parse(rawQuery).entrySet()) {
            for (String v : e.getValue()) {
                pairs.add(new String[] {e.getKey(), v});
            }
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder b = new StringBuilder();
        for (String[] p : pairs) {
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(encode(p[0])).append('=').append(encode(p[1]));
        }
        return b.toString();
    }

    /** RFC 3986 percent-encoding of UTF-8 bytes. */
    public static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return b.toString();
    }
}
