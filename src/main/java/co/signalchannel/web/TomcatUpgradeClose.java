package co.signalchannel.web;

import jakarta.servlet.http.WebConnection;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes an upgraded connection from any thread, a timer's included.
 *
 * <p>Which container needs it, and why: on Tomcat, {@code WebConnection.close()} (its {@code
 * UpgradeProcessorExternal}) only marks the connection's upgraded streams closed; the socket is
 * closed by the container thread that next dispatches an event for the connection and finds both
 * streams closed. Closed in a read or write callback, that is the callback's own dispatch; closed
 * from a timer, no event follows from a client that sends nothing more, and the connection stays
 * open. So on Tomcat the close is followed by asking for such a dispatch on one of Tomcat's
 * threads ({@code SocketWrapperBase.processSocket(OPEN_READ, true)}, reached by reflection), which
 * runs after any callback under way (Tomcat locks the socket for each), finds the streams closed
 * and closes the socket; for a socket closed already it does nothing. Grizzly (Payara) closes the
 * socket in {@code close()} itself, from any thread.
 */
final class TomcatUpgradeClose {

    private static final Logger LOG = Logger.getLogger(TomcatUpgradeClose.class.getName());
    private static final String UPGRADED_CONNECTION = "org.apache.coyote.http11.upgrade.UpgradeProcessorExternal";

    private TomcatUpgradeClose() {
    }

    /** Closes {@code connection}, and on Tomcat has the container close its socket. */
    static void close(WebConnection connection) throws Exception {
        connection.close();
        if (connection.getClass().getName().equals(UPGRADED_CONNECTION)) {
            dispatchRead(connection);
        }
    }

    private static void dispatchRead(WebConnection connection) {
        try {
            Object input = connection.getInputStream();
            Field socketWrapper = input.getClass().getDeclaredField("socketWrapper");
            socketWrapper.setAccessible(true);
            Object wrapper = socketWrapper.get(input);
            for (Method method : wrapper.getClass().getMethods()) {
                Class<?>[] parameters = method.getParameterTypes();
                if (method.getName().equals("processSocket") && parameters.length == 2
                        && parameters[0].isEnum() && parameters[1] == boolean.class) {
                    method.invoke(wrapper, enumConstant(parameters[0], "OPEN_READ"), true);
                    return;
                }
            }
            LOG.fine("Tomcat's socket wrapper has no processSocket(SocketEvent, boolean)");
        } catch (Exception e) {
            LOG.log(Level.FINE, "cannot have Tomcat close an upgraded connection's socket", e);
        }
    }

    private static Object enumConstant(Class<?> type, String name) {
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw new IllegalArgumentException(type.getName() + " has no " + name);
    }
}
