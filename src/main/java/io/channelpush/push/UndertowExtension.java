package io.channelpush.push;

import io.undertow.servlet.ServletExtension;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import jakarta.servlet.ServletContext;
import java.util.Set;

/**
 * Undertow's hook into this deployment (WildFly and the launcher both load it from
 * {@code META-INF/services/io.undertow.servlet.ServletExtension}; other containers ignore that file): puts
 * {@link PublishHandler} in front of the servlet chain, so that publishes are answered on the I/O thread, and
 * {@link MethodGuard} in front of everything, so that no path answers {@code TRACE} and the publisher no
 * {@code HEAD}; and {@link ClosesFirst}, so that the node closes its WebSockets before the container does.
 */
public final class UndertowExtension implements ServletExtension {
    @Override
    public void handleDeployment(DeploymentInfo deploymentInfo, ServletContext servletContext) {
        deploymentInfo.addInitialHandlerChainWrapper(next -> new PublishHandler(next, servletContext));
        // added last, so it wraps the publish handler: it runs first
        deploymentInfo.addInitialHandlerChainWrapper(MethodGuard::new);
        deploymentInfo.addServletContainerInitializer(new ServletContainerInitializerInfo(ClosesFirst.class, Set.of()));
    }
}
