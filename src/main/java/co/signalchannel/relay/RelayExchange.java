package co.signalchannel.relay;

import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Connections;
import co.signalchannel.json.JsonTextReader;
import co.signalchannel.namespace.NamespaceRegistry;
import co.signalchannel.namespace.Usage;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * The relay namespaces of the server: sessions that present mirror headers are paired, and from
 * then on everything one sends reaches the other alone.
 */
@ApplicationScoped
public class RelayExchange {

    @Inject
    Connections connections;

    private NamespaceRegistry<RelayNamespace> namespaces;
    private RelayParty.Limits limits;
    private JsonTextReader headers;
    private Duration pairingTimeout;

    @PostConstruct
    void init() {
        Settings settings = connections.settings();
        namespaces = new NamespaceRegistry<>("relay", name -> new RelayNamespace(),
                settings.getInt(Setting.NAMESPACE_MAX_LENGTH), settings.getInt(Setting.NAMESPACE_MAX_SESSIONS));
        limits = new RelayParty.Limits(settings.getInt(Setting.RELAY_BUFFER_MAX_MESSAGES),
                settings.get(Setting.RELAY_BUFFER_MAX_BYTES));
        pairingTimeout = settings.duration(Setting.RELAY_PAIRING_TIMEOUT_MS);
        headers = new JsonTextReader(settings.getInt(Setting.JSON_MAX_DEPTH));
    }

    /** Joins a newly opened session to its relay namespace; it must present its header next. */
    public Connection join(Session session, String namespace) {
        return connections.open(session, connection -> {
            RelayNamespace joined = namespaces.join(namespace, connection);
            RelayParty party = new RelayParty(connection, joined.pairings(), limits, headers);
            ScheduledFuture<?> deadline = connections.schedule(
                    () -> party.pairingDeadline(pairingTimeout.toMillis()), pairingTimeout);
            connection.onEnd(() -> {
                deadline.cancel(false);
                party.ended();
            });
            return party;
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
