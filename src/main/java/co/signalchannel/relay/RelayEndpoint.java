package co.signalchannel.relay;

import co.signalchannel.access.TokenProtocol;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.EndpointBeans;
import co.signalchannel.connection.EndpointInstances;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;

import java.nio.ByteBuffer;

/** {@code /v1/relay/{namespace}}: one instance per session, handing everything to {@link RelayExchange}. */
@ServerEndpoint(value = "/v1/relay/{namespace}", configurator = EndpointInstances.class,
        subprotocols = TokenProtocol.NAME)
public class RelayEndpoint {

    private Connection connection;

    @OnOpen
    public void open(Session session, @PathParam("namespace") String namespace) {
        connection = EndpointBeans.get(RelayExchange.class).join(session, namespace);
    }

    @OnMessage
    public void text(String text) {
        connection.receive(text);
    }

    @OnMessage
    public void binary(ByteBuffer data) {
        connection.receive(EndpointBeans.copy(data));
    }

    @OnMessage
    public void pong(PongMessage pong) {
        connection.heard();
    }

    @OnClose
    public void close() {
        if (connection != null) { // null only if opening failed
            connection.ended();
        }
    }

    @OnError
    public void error(Throwable cause) {
        if (connection != null) {
            connection.fail(cause);
        }
    }
}
