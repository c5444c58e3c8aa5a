package io.channelpush.push;

import io.channelpush.channel.client.ClientOptions;
import io.channelpush.push.bus.ChannelDaemonBus;
import io.channelpush.push.ops.HealthServlet;
import io.channelpush.push.ops.JmxRegistration;
import io.channelpush.push.ops.MetricsServlet;
import io.channelpush.push.ops.NodeMetrics;
import io.channelpush.push.ops.NodeStats;
import io.channelpush.push.bus.MessageBus;
import io.channelpush.push.bus.NatsBus;
import io.channelpush.push.publish.PublisherServlet;
import io.channelpush.push.publish.Publishing;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Builds the node when the web application starts and closes it when it stops: the one place where the WAR's
 * objects are wired and registered: the node, the HTTP publisher ({@link Publishing} behind
 * {@link PublisherServlet}), the {@link HandshakeFilter}, the health and metrics servlets, the WebSocket endpoint,
 * the browser library's headers ({@link ClientLibraryHeaders}) and, when the demo is off, the {@link DemoGate}. None of them carries {@code @WebServlet}/{@code @WebFilter}:
 * WildFly finds this listener by annotation scanning, the embedded launcher declares it, and both allow a declared
 * listener to add servlets, filters and endpoints, so both containers register each of them once, here. (The
 * Undertow handlers in front of the servlets are installed by {@link UndertowExtension}, Undertow's own hook.)
 */
@WebListener
public final class PushContextListener implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(PushContextListener.class.getName());
    private static final String JMX_ATTRIBUTE = JmxRegistration.class.getName();
    /**
     * Servlet context attribute that may hold the bus to use instead of the configured one, a
     * {@code Function<MessageBus.Listener, MessageBus>} (tests with an in-memory bus); unset in production.
     */
    public static final String BUS_FACTORY_ATTRIBUTE = MessageBus.class.getName() + ".factory";

    @Override
    public void contextInitialized(ServletContextEvent sce) {
        ServletContext ctx = sce.getServletContext();
        PushConfig config;
        Function<MessageBus.Listener, MessageBus> bus;
        try {
            List<String> initParamNames = Collections.list(ctx.getInitParameterNames());
            // the launcher hands over its sources, its flags first; a WAR reads this JVM's
            SettingSources sources = ctx.getAttribute(SettingSources.ATTRIBUTE) instanceof SettingSources given
                    ? given.withInitParams(ctx::getInitParameter, initParamNames)
                    : SettingSources.system(Map.of(), ctx::getInitParameter, initParamNames);
            config = PushConfig.load(sources);
            bus = ctx.getAttribute(BUS_FACTORY_ATTRIBUTE) instanceof Function<?, ?> given ? busFrom(given)
                    : bus(config);
        } catch (IllegalArgumentException e) {
            LOG.severe("Channel Push cannot start: " + e.getMessage());
            throw e;
        }
        PushNode node = new PushNode(config, bus, ctx.getAttribute(FatalErrors.ATTRIBUTE) instanceof FatalErrors f
                ? f : FatalErrors.MARK_DEAD);
        ctx.setAttribute(PushNode.ATTRIBUTE, node);
        ctx.setAttribute(MetricsServlet.ATTRIBUTE, new NodeMetrics(node));
        ctx.setAttribute(JMX_ATTRIBUTE, new JmxRegistration(new NodeStats(node)));
        ServerContainer container = (ServerContainer) ctx.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            node.close();
            throw new IllegalStateException("Channel Push needs a WebSocket container (jakarta.websocket); "
                    + "in WildFly enable the undertow subsystem's WebSocket support");
        }
        HandshakeVerdicts verdicts = new HandshakeVerdicts();
        try {
            container.addEndpoint(ServerEndpointConfig.Builder.create(PushEndpoint.class, "/")
                    .configurator(new PushEndpoint.Factory(node, verdicts))
                    .build());
        } catch (DeploymentException e) {
            node.close();
            throw new IllegalStateException("cannot register the WebSocket endpoint: " + e.getMessage(), e);
        }
        // not after: Undertow's WebSocket filter, added before this listener runs, would upgrade first
        FilterRegistration.Dynamic handshake = ctx.addFilter("handshake", new HandshakeFilter(verdicts));
        // the publisher answers asynchronously once the bus acknowledged: every filter before it must allow that
        handshake.setAsyncSupported(true);
        handshake.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        Publishing publishing = new Publishing(node);
        ctx.setAttribute(Publishing.ATTRIBUTE, publishing);
        ServletRegistration.Dynamic publisher = ctx.addServlet("publisher", new PublisherServlet(publishing));
        publisher.setAsyncSupported(true);
        publisher.addMapping("");
        ctx.addServlet("health", HealthServlet.class).addMapping("/health/*");
        ctx.addServlet("metrics", MetricsServlet.class).addMapping("/metrics");
        ctx.addFilter("client-library", new ClientLibraryHeaders())
                .addMappingForUrlPatterns(null, false, ClientLibraryHeaders.PATH);
        if (!config.demoEnabled()) {
            FilterRegistration.Dynamic gate = ctx.addFilter("demo-gate", new DemoGate());
            gate.setAsyncSupported(true); // it may stand before the publisher, which answers asynchronously
            gate.addMappingForUrlPatterns(null, false, DemoGate.URL_PATTERN);
        }
    }

    @SuppressWarnings("unchecked")
    private static Function<MessageBus.Listener, MessageBus> busFrom(Function<?, ?> given) {
        return (Function<MessageBus.Listener, MessageBus>) given;
    }

    /** The bus backend: NATS when {@code channelpush.bus} names servers, else the channel daemon. */
    private static Function<MessageBus.Listener, MessageBus> bus(PushConfig config) {
        String name = "push-node " + config.workerId();
        if (config.natsServers() != null) {
            List<URI> servers = NatsBus.parseServers(config.natsServers());
            return listener -> NatsBus.connect(servers, name, config.channelBufferBytes(), config.natsSecurity(),
                    config.natsStreams(), listener);
        }
        ClientOptions channel = ClientOptions.parse(config.channel())
                .withSecret(config.channelSecret())
                .withClientName(name)
                .withBufferLimitBytes(config.channelBufferBytes());
        return listener -> new ChannelDaemonBus(channel, listener);
    }

    @Override
    public void contextDestroyed(ServletContextEvent sce) {
        ServletContext ctx = sce.getServletContext();
        if (ctx.getAttribute(JMX_ATTRIBUTE) instanceof JmxRegistration jmx) {
            jmx.close();
        }
        if (ctx.getAttribute(PushNode.ATTRIBUTE) instanceof PushNode node) {
            node.close();
        }
    }
}
