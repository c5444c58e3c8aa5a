package io.channelpush.channel.archfixture;

import io.undertow.util.Headers;

/**
 * Deliberately breaks the module boundary (daemon and client code must not use Undertow): only
 * {@code ModuleBoundariesTest} reads it, to show that the rule reports the violation. Test sources only.
 */
public final class ClientUsingUndertow {
    private ClientUsingUndertow() {
    }

    /** A use of an Undertow type, as a careless edit of the client would add (not a compile-time constant: javac
     * inlines those, and no bytecode rule sees them). */
    public static String header() {
        return Headers.CONTENT_TYPE.toString();
    }
}
