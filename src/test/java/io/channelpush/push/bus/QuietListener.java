package io.channelpush.push.bus;

/**
 * A bus listener that ignores connections and disconnections ({@link #QUIET}); a test extends it for the events it
 * records. Stateless; thread-safe.
 */
class QuietListener implements MessageBus.Listener {
    static final MessageBus.Listener QUIET = new QuietListener();

    @Override
    public void onConnected(boolean reconnect) {
    }

    @Override
    public void onDisconnected(String reason) {
    }
}
