package io.channelpush.push;

import io.undertow.servlet.ServletExtension;
import io.undertow.servlet.api.DeploymentInfo;
import jakarta.servlet.ServletContext;

/**
 * Undertow's hook into this deployment (WildFly and the launcher both load it from
 * {@code META-INF/services/io.undertow.servlet.ServletExtension}; other containers ignore that file): puts
 * {@link RequestBounds} first (a deadline per request; a WebSocket handshake's request trimmed once upgraded), then
 * {@link PublishHandler} in front of the servlet chain, so that publishes are answered on the I/O thread.
 */
public final class UndertowExtension implements ServletExtension {
    @Override
    public void handleDeployment(DeploymentInfo deploymentInfo, ServletContext servletContext) {
        // the last wrapper added is the outermost
        deploymentInfo.addInitialHandlerChainWrapper(next -> new PublishHandler(next, servletContext));
        deploymentInfo.addInitialHandlerChainWrapper(next -> new RequestBounds(next, servletContext));
    }
}
