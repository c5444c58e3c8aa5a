package io.channelpush.push;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.Set;

/**
 * Makes the node close its WebSockets (1001, "node shutting down", counted in the stop line) before the WebSocket
 * container closes them on undeploy. Listeners are destroyed in the reverse order of their registration, and
 * Undertow's WebSocket support registers the listener that closes its container after {@link PushContextListener};
 * a listener added from a container initializer comes after both, so it is destroyed first.
 * {@link UndertowExtension} registers this initializer (WildFly and the launcher). Stateless; thread-safe.
 */
public final class ClosesFirst implements ServletContainerInitializer {
    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext ctx) {
        ctx.addListener(new ServletContextListener() {
            @Override
            public void contextDestroyed(ServletContextEvent sce) {
                if (sce.getServletContext().getAttribute(PushNode.ATTRIBUTE) instanceof PushNode node) {
                    node.close();
                }
            }
        });
    }
}
