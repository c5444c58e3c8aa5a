package io.channelpush.push.auth;

import java.util.List;

/**
 * Who a WebSocket connection is, from its connection token: the user id ({@code sub}), the groups it may join
 * ({@code groups}: exact ids, or a prefix ending in {@code *}; {@code "*"} allows every group) and whether it may
 * send to groups ({@code send}). Kept for the connection's life instead of the token. Immutable.
 *
 * @param userId the token's {@code sub}
 * @param groupPatterns what {@code groups} granted, in token order
 * @param maySend the token's {@code send} claim (false when absent)
 */
public record ConnectionIdentity(String userId, List<String> groupPatterns, boolean maySend) {
    public ConnectionIdentity {
        groupPatterns = List.copyOf(groupPatterns);
    }

    /** Whether the token lets this connection join {@code group}. */
    public boolean mayJoin(String group) {
        for (String p : groupPatterns) {
            if (p.endsWith("*") ? group.startsWith(p.substring(0, p.length() - 1)) : group.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the token lets this connection {@code send_to_group} {@code group}: {@code send} and the group granted. */
    public boolean maySendTo(String group) {
        return maySend && mayJoin(group);
    }
}
