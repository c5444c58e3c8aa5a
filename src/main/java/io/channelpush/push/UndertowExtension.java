package io.channelpush.push;

import io.channelpush.push.publish.PublishHandler;
import io.undertow.servlet.ServletExtension;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import jakarta.servlet.ServletContext;
import java.util.Set;

/**
 * Undertow's hook into this deployment (WildFly and the launcher both load it from
 * {@code META-INF/services/io.undertow.servlet.ServletExtension}; other containers ignore that file): puts
 * {@link RequestBounds} first (a deadline per request; a WebSocket handshake's request trimmed once upgraded),
 * then {@link MethodGuard}, so that no path answers {@code TRACE} and the publisher no {@code HEAD}, then
 * {@link PublishHandler} in front of the servlet chain, so that publishes are answered on the I/O thread; and
 * {@link ClosesFirst}, so that the node closes its WebSockets before the container does. The handler chain's one
 * place, publisher included: a second extension for the publisher alone would make the handlers' order depend on
 * the order the container loads extensions in (the publisher must stay inside {@link RequestBounds}' deadline).
 */
public final class UndertowExtension implements ServletExtension {
    @Override
    public void handleDeployment(DeploymentInfo deploymentInfo, ServletContext servletContext) {
        // the last wrapper added is the outermost
        deploymentInfo.addInitialHandlerChainWrapper(next -> new PublishHandler(next, servletContext));
        deploymentInfo.addInitialHandlerChainWrapper(MethodGuard::new);
        deploymentInfo.addInitialHandlerChainWrapper(next -> new RequestBounds(next, servletContext));
        deploymentInfo.addServletContainerInitializer(new ServletContainerInitializerInfo(ClosesFirst.class, Set.of()));
    }
}
