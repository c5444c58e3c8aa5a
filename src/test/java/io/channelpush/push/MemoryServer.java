package io.channelpush.push;

import io.undertow.Undertow;
import io.undertow.server.handlers.PathHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.websockets.jsr.WebSocketDeploymentInfo;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import io.undertow.server.DefaultByteBufferPool;
import io.channelpush.push.bus.MessageBus;

/**
 * The WAR's deployment ({@link PushContextListener}, Undertow's extension with the I/O-thread publisher) on a real
 * embedded Undertow listening on 127.0.0.1 port 0, with an {@link InMemoryBus} instead of a daemon or NATS, so
 * that a test decides the bus's acknowledgements. Close it to stop everything.
 */
final class MemoryServer implements AutoCloseable {
    final InMemoryBus bus = new InMemoryBus();
    private final XnioWorker worker;
    private final DeploymentManager deployment;
    private final Undertow server;
    final PushNode node;

    /** @param settings {@code channelpush.*} settings; the worker id is {@code mem} unless they give one */
    MemoryServer(Map<String, String> settings) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.putIfAbsent(PushConfig.WORKER_ID, "mem");
        worker = Xnio.getInstance(getClass().getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, 2).set(Options.WORKER_TASK_CORE_THREADS, 4)
                .set(Options.WORKER_TASK_MAX_THREADS, 8).getMap());
        Function<MessageBus.Listener, MessageBus> busFactory = listener -> bus;
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(getClass().getClassLoader())
                .setContextPath("/")
                .setDeploymentName("channel-push-memory")
                .addListener(Servlets.listener(PushContextListener.class))
                .addServletContextAttribute(PushContextListener.BUS_FACTORY_ATTRIBUTE, busFactory)
                .addServletContextAttribute(SettingSources.ATTRIBUTE,
                        new SettingSources(Map.copyOf(all), Map.of(), Map.of(), name -> null, List.of()))
                .addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME, new WebSocketDeploymentInfo()
                        .setWorker(worker).setBuffers(new DefaultByteBufferPool(true, 16 * 1024)));
        deployment = Servlets.defaultContainer().addDeployment(info);
        deployment.deploy();
        server = Undertow.builder().setWorker(worker).addHttpListener(0, "127.0.0.1")
                .setHandler(new PathHandler(deployment.start())).build();
        server.start();
        node = (PushNode) deployment.getDeployment().getServletContext().getAttribute(PushNode.ATTRIBUTE);
    }

    int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        deployment.stop();
        deployment.undeploy();
        worker.shutdownNow();
    }
}
