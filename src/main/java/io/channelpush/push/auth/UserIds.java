package io.channelpush.push.auth;

import java.util.regex.Pattern;

/**
 * What a user id may be, wherever one comes from: a connection token's {@code sub}, or the publisher's
 * {@code to_uid}, {@code uid}, {@code bind_uid} and {@code unbind_uid}. Ids, e-mail addresses and UUIDs fit; spaces,
 * quotes and control characters do not, so a user id is safe in a log line and in a JSON string. Stateless.
 */
public final class UserIds {
    /** What a user id may be, for messages. */
    public static final String RULE = "1-128 of A-Z a-z 0-9 . _ : @ -";
    private static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private UserIds() {
    }

    /** Whether {@code uid} may be a user id ({@link #RULE}); false for null. */
    public static boolean isValid(String uid) {
        return uid != null && PATTERN.matcher(uid).matches();
    }
}
