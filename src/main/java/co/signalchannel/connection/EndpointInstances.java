package co.signalchannel.connection;

import jakarta.websocket.server.ServerEndpointConfig;

/**
 * The configurator of every signal-channel {@code @ServerEndpoint}: creates each session's
 * endpoint instance with its constructor, where the container's default would have CDI create it.
 *
 * <p>Why: the endpoints take nothing from CDI (they look their bean up through
 * {@link EndpointBeans}), and on Payara a CDI-created instance costs Weld's injection processing
 * (resource annotations, interceptor lookup) on every connect, which a connect storm pays
 * thousands of times over. Everything else (origin checks, handshake, subprotocols) stays the
 * container's.
 */
public class EndpointInstances extends ServerEndpointConfig.Configurator {

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        try {
            return endpointClass.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            InstantiationException failure = new InstantiationException("cannot create " + endpointClass.getName());
            failure.initCause(e);
            throw failure;
        }
    }
}
