package io.channelpush.push;

import io.channelpush.push.auth.ConnectionTokens;
import java.util.List;

/**
 * Finds the connection token a WebSocket handshake carries, in the query parameter {@code token} (browsers cannot
 * set headers on a WebSocket) or in {@code Authorization: Bearer} (other clients, which keeps the token out of
 * access logs), and has it verified. A handshake carrying more than one token is refused: which one counts would
 * be a guess. Shared by {@link HandshakeFilter} and the endpoint's configurator. Stateless.
 */
final class HandshakeToken {
    /** The query parameter that carries the token. */
    static final String PARAMETER = "token";
    private static final String BEARER = "Bearer ";

    private HandshakeToken() {
    }

    /**
     * @param queryValues the values of {@code token} in the query string (null or empty when none)
     * @param authorizations the {@code Authorization} header values (null or empty when none)
     */
    static ConnectionTokens.Verdict verify(ConnectionTokens tokens, List<String> queryValues,
                                           List<String> authorizations) {
        String token = null;
        int found = 0;
        if (queryValues != null) {
            for (String v : queryValues) {
                token = v;
                found++;
            }
        }
        if (authorizations != null) {
            for (String a : authorizations) {
                if (a != null && a.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                    token = a.substring(BEARER.length()).strip();
                    found++;
                }
            }
        }
        if (found > 1) {
            return new ConnectionTokens.Verdict(null, "send one connection token, in ?" + PARAMETER
                    + "= or in Authorization: Bearer, not both");
        }
        return tokens.verify(token);
    }
}
