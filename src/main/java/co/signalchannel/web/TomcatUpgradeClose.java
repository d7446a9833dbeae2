package co.signalchannel.web;

import jakarta.servlet.http.WebConnection;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes an upgraded connection from any thread, a timer's included: every close of a guarded
 * connection ({@link FrameLimitUpgradeHandler}) goes through here.
 *
 * <p>Which container needs it, and why: on Tomcat, {@code WebConnection.close()} only marks the
 * connection's upgraded streams closed, and the socket is closed by the container thread that next
 * dispatches an event for the connection and finds both streams closed. Closed in a read or write
 * callback, that is the callback's own dispatch; closed from a timer (Tyrus' close timeout for a
 * client that never answers the server's close frame, the lingering close after a refused frame,
 * the grace of a close whose frame is not being read), no event follows from a client that sends
 * nothing more, and the TCP connection stayed open for as long as the client kept it (ChurnIT: 20
 * of 20 such clients still connected 20 s after the server's close frame, with a 5 s close
 * timeout). So on Tomcat the close is followed by asking for such a dispatch on one of Tomcat's
 * threads ({@code SocketWrapperBase.processSocket(OPEN_READ, true)}, reached by reflection), which
 * runs after any callback under way, finds the streams closed and closes the socket; for a socket
 * closed already it does nothing. Grizzly (Payara) closes the socket in {@code close()} itself,
 * from any thread; Undertow (WildFly) never runs this code.
 *
 * <p>Tomcat's source (11.0.24, the same in 10.1.59), package {@code org.apache.coyote.http11.upgrade}
 * unless named: {@code UpgradeProcessorExternal.close()} calls only {@code
 * UpgradeServletInputStream.close()} (sets {@code eof} and {@code closed}) and {@code
 * UpgradeServletOutputStream.close()} (a non-blocking flush of what the container still holds,
 * then {@code closed}); {@code UpgradeProcessorExternal.dispatch(SocketEvent)} returns {@code
 * SocketState.CLOSED} after an event once both streams are closed, and only then does {@code
 * org.apache.tomcat.util.net.NioEndpoint.SocketProcessor.doRun()} call {@code
 * socketWrapper.close()}; {@code org.apache.tomcat.util.net.SocketProcessorBase.run()} takes the
 * socket wrapper's lock, which every dispatch for the connection holds, and returns at once for a
 * wrapper closed already. For a client that has sent nothing, the input stream's {@code
 * onDataAvailable()} calls no read listener, so the dispatch asked for here only closes; for one
 * that has, it calls {@code onAllDataRead()}, as that client's next event would have.
 */
final class TomcatUpgradeClose {

    private static final Logger LOG = Logger.getLogger(TomcatUpgradeClose.class.getName());
    private static final String UPGRADED_CONNECTION = "org.apache.coyote.http11.upgrade.UpgradeProcessorExternal";

    private TomcatUpgradeClose() {
    }

    /** Closes {@code connection}, and on Tomcat has the container close its socket. */
    static void close(WebConnection connection) throws Exception {
        try {
            connection.close();
        } finally {
            // Tomcat marks its output stream closed before that stream's last flush, which fails
            // (Broken pipe) for a client that is gone: the streams are closed all the same.
            if (connection.getClass().getName().equals(UPGRADED_CONNECTION)) {
                dispatchRead(connection);
            }
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
