package io.channelpush.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of a bare benchmark: every one a positive integer with a default, {@code --help}, or an error that
 * names what was wrong. Immutable once parsed.
 */
final class BareOptions {
    private final Map<String, Integer> values;
    private final boolean help;
    private final String error;

    private BareOptions(Map<String, Integer> values, boolean help, String error) {
        this.values = values;
        this.help = help;
        this.error = error;
    }

    /** @param defaults option names and their default values, in pairs */
    static BareOptions parse(String[] args, String... defaults) {
        Map<String, Integer> values = new LinkedHashMap<>();
        for (int i = 0; i < defaults.length; i += 2) {
            values.put(defaults[i], Integer.valueOf(defaults[i + 1]));
        }
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--help")) {
                return new BareOptions(values, true, null);
            }
            if (!values.containsKey(args[i])) {
                return new BareOptions(values, false, "unknown option " + args[i]);
            }
            if (i + 1 >= args.length) {
                return new BareOptions(values, false, args[i] + " needs a value");
            }
            try {
                int v = Integer.parseInt(args[i + 1]);
                if (v <= 0) {
                    return new BareOptions(values, false, args[i] + " must be positive");
                }
                values.put(args[i], v);
            } catch (NumberFormatException e) {
                return new BareOptions(values, false, args[i] + " needs a number, not " + args[i + 1]);
            }
        }
        return new BareOptions(values, false, null);
    }

    boolean help() {
        return help;
    }

    String error() {
        return error;
    }

    int get(String name) {
        return values.get(name);
    }

    /** Prints the usage (and the error, if any); the exit code: 0 for {@code --help}, 2 for an error. */
    int answer(String benchmark, String usage, PrintStream out, PrintStream err) {
        if (help) {
            out.print(usage);
            return 0;
        }
        err.println(benchmark + ": " + error);
        err.print(usage);
        return 2;
    }
}
