package io.channelpush.launcher;

import io.channelpush.push.FatalErrors;
import io.channelpush.push.PushConfig;
import io.channelpush.push.PushContextListener;
import io.channelpush.push.SettingSources;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.websockets.jsr.WebSocketDeploymentInfo;
import org.xnio.XnioWorker;

/**
 * The WAR's deployment in embedded Undertow: its resources from the class path, its one wiring place
 * ({@link PushContextListener}) registering the servlets, filters and endpoint as in WildFly, the Jakarta WebSocket
 * container on the launcher's worker, and the launcher's settings and fatal-error sink as context attributes. Its
 * servlet executor is {@link UpgradesOnIoThread}. Stateless.
 */
final class WarDeployment {
    private WarDeployment() {
    }

    /** Deploys (the node is built here, by the listener); the caller starts the returned manager. */
    static DeploymentManager deploy(LauncherOptions o, SettingSources sources, UpgradesOnIoThread upgrades,
                                    XnioWorker worker, FatalErrors fatalErrors)
            throws jakarta.servlet.ServletException {
        ClassLoader cl = WarDeployment.class.getClassLoader();
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(cl)
                .setContextPath("/")
                .setDeploymentName("channel-push")
                .setResourceManager(new ClassPathResourceManager(cl, "webapp"))
                .addWelcomePage("index.html")
                .addServletContextAttribute(FatalErrors.ATTRIBUTE, fatalErrors)
                // the WAR's one wiring place registers the servlets, filters and endpoint, here as in WildFly
                .addListener(Servlets.listener(PushContextListener.class))
                .addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME, new WebSocketDeploymentInfo()
                        .setWorker(worker)
                        .setBuffers(new DefaultByteBufferPool(true, 16 * 1024)));
        info.addServletContextAttribute(SettingSources.ATTRIBUTE, sources);
        info.setExecutor(upgrades).setAsyncExecutor(worker)
                // no servlet security in this WAR; its handler would send every request back to a worker thread
                .setSecurityDisabled(true);
        if (o.demo()) {
            // the launcher's default, not a flag: a property or environment variable may turn it off
            info.addInitParameter(PushConfig.DEMO_ENABLED, "true");
        }
        DeploymentManager manager = ServletContainer.Factory.newInstance().addDeployment(info);
        manager.deploy();
        return manager;
    }
}
