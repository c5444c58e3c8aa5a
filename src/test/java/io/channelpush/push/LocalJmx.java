package io.channelpush.push;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The platform MBean server of another JVM of this user on this machine, reached the way JConsole reaches a local
 * process: the Attach API starts the JVM's local management agent (loopback only) and JMX connects to it.
 */
final class LocalJmx implements AutoCloseable {
    private final JMXConnector connector;
    final MBeanServerConnection server;

    private LocalJmx(JMXConnector connector) throws Exception {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    static LocalJmx attach(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return new LocalJmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
