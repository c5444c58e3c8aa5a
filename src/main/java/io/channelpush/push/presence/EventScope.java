package io.channelpush.push.presence;

import java.util.Arrays;
import java.util.List;

/**
 * Which groups have presence events, from the setting {@code channelpush.presence-events}: {@code off} (none, the
 * default), {@code all}, or a comma-separated list of group id prefixes ({@code room:,team-}). Immutable.
 */
public final class EventScope {
    private static final EventScope OFF = new EventScope(List.of(), false);

    private final List<String> prefixes;
    private final boolean all;

    private EventScope(List<String> prefixes, boolean all) {
        this.prefixes = prefixes;
        this.all = all;
    }

    /**
     * The scope a setting names; null or blank is {@code off}.
     *
     * @throws IllegalArgumentException for a list with an empty prefix (use {@code all})
     */
    public static EventScope parse(String setting) {
        String s = setting == null ? "" : setting.strip();
        if (s.isEmpty() || s.equals("off")) {
            return OFF;
        }
        if (s.equals("all")) {
            return new EventScope(List.of(), true);
        }
        List<String> p = Arrays.stream(s.split(",", -1)).map(String::strip).toList();
        if (p.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("presence events: \"" + setting + "\" has an empty group prefix; "
                    + "give off, all, or prefixes separated by commas");
        }
        return new EventScope(List.copyOf(p), false);
    }

    /** Whether any group has events. */
    public boolean enabled() {
        return all || !prefixes.isEmpty();
    }

    /** Whether {@code group} has events. */
    public boolean covers(String group) {
        if (all) {
            return true;
        }
        for (String p : prefixes) {
            if (group.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return all ? "all" : prefixes.isEmpty() ? "off" : String.join(",", prefixes);
    }
}
