package co.signalchannel.echo;

import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Connections;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.Receiver;
import co.signalchannel.namespace.NamespaceRegistry;
import co.signalchannel.namespace.Usage;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;

/**
 * The echo namespaces of the server: every message a session sends reaches every session of its
 * namespace, itself included, text as text and binary as binary. Nothing is stored.
 */
@ApplicationScoped
public class EchoHub {

    @Inject
    Connections connections;

    private NamespaceRegistry<EchoNamespace> namespaces;

    @PostConstruct
    void init() {
        Settings settings = connections.settings();
        namespaces = new NamespaceRegistry<>("echo", name -> new EchoNamespace(connections.deliveryLanes(),
                        settings.getInt(Setting.FAN_OUT_MIN_SESSIONS)),
                settings.getInt(Setting.NAMESPACE_MAX_LENGTH), settings.getInt(Setting.NAMESPACE_MAX_SESSIONS));
    }

    /** Joins a newly opened session to its echo namespace. */
    public Connection join(Session session, String namespace) {
        return connections.open(session, connection -> {
            EchoNamespace joined = namespaces.join(namespace, connection);
            return new Receiver() {
                @Override
                public void onText(String text) {
                    joined.broadcast(new Outgoing.Text(text));
                }

                @Override
                public void onBinary(byte[] data) {
                    joined.broadcast(new Outgoing.Binary(data));
                }
            };
        });
    }

    /** How many namespaces and sessions this endpoint holds right now. */
    public Usage usage() {
        return new Usage(namespaces.size(), namespaces.sessions());
    }

    /** Sessions open on the namespace of that name (0 if it is not in use). */
    public int sessions(String namespace) {
        return namespaces.sessions(namespace);
    }
}
