package io.channelpush.push.archfixture;

import io.channelpush.channel.daemon.DaemonConfig;
import io.undertow.util.Headers;

/**
 * Deliberately breaks two module boundaries (push code must not use the daemon; Undertow types only in the named
 * Undertow-specific classes): only {@code ModuleBoundariesTest} reads it, to show that the rules report the
 * violations. Test sources only.
 */
public final class NodeUsingTheDaemon {
    private NodeUsingTheDaemon() {
    }

    /** Uses the daemon's configuration and an Undertow constant. */
    public static String both() {
        return DaemonConfig.defaults() + Headers.CONTENT_TYPE.toString();
    }
}
