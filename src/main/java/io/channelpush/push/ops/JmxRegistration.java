package io.channelpush.push.ops;

import java.lang.management.ManagementFactory;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Registers a node's {@link NodeStats} with the platform MBean server; {@link #close()} unregisters it. */
public final class JmxRegistration implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JmxRegistration.class.getName());

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName name;

    /** Registers; on failure (for example a second node with the same worker id) logs and registers nothing. */
    public JmxRegistration(NodeStats stats) {
        ObjectName n = null;
        try {
            n = new ObjectName("io.channelpush:type=PushNode,worker=" + ObjectName.quote(stats.getWorkerId()));
            server.registerMBean(stats, n);
        } catch (JMException e) {
            LOG.warning("JMX view of worker " + stats.getWorkerId() + " not registered: " + e.getMessage());
            n = null;
        }
        this.name = n;
    }

    public ObjectName name() {
        return name;
    }

    @Override
    public void close() {
        if (name != null) {
            try {
                server.unregisterMBean(name);
            } catch (JMException e) {
                LOG.fine(() -> "unregistering " + name + ": " + e.getMessage());
            }
        }
    }
}
