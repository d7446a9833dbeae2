package co.signalchannel.web;

import co.signalchannel.access.AccessGate;
import co.signalchannel.cluster.ClusterNode;
import co.signalchannel.connection.Connections;
import co.signalchannel.echo.EchoHub;
import co.signalchannel.namespace.Usage;
import co.signalchannel.relay.RelayExchange;
import co.signalchannel.scuttlebutt.ByteBudget;
import co.signalchannel.scuttlebutt.ScuttlebuttHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.servlet.ServletContext;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this server holds right now, and in a cluster what every node reported: the body of
 * {@code /v1/stats}, and the report this node sends the others.
 */
@ApplicationScoped
public class ServerStats {

    private static final String[] ENDPOINTS = {"echo", "scuttlebutt", "relay"};

    @Inject
    Connections connections;

    @Inject
    ClusterNode cluster;

    @Inject
    EchoHub echo;

    @Inject
    ScuttlebuttHub scuttlebutt;

    @Inject
    RelayExchange relay;

    @Inject
    AccessGate access;

    /** In a cluster, this node's report to the others is its own stats. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        if (cluster.enabled()) {
            cluster.reportWith(() -> local().toString());
        }
    }

    /** This node's sessions and namespaces per endpoint. */
    public JsonObject local() {
        ByteBudget memory = scuttlebutt.memory();
        return Json.createObjectBuilder()
                .add("sessions", connections.openSessions())
                .add("echo", usage(echo.usage()))
                .add("scuttlebutt", usage(scuttlebutt.usage())
                        .add("bytes", memory.used())
                        .add("maxBytes", memory.max()))
                .add("relay", usage(relay.usage()))
                .build();
    }

    /** The whole body of {@code /v1/stats}: this node's stats, and the cluster's when in one. */
    public JsonObject all() {
        JsonObjectBuilder stats = Json.createObjectBuilder(local());
        String websocket = connections.sessionImplementation();
        if (websocket != null) {
            stats.add("websocket", websocket);
        }
        if (access.tokensRequired()) {
            // Who holds sessions, by the only identity the server trusts: a verified token's sub.
            JsonObjectBuilder subjects = Json.createObjectBuilder();
            access.subjects().forEach(subjects::add);
            stats.add("subjects", subjects);
        }
        if (cluster.enabled()) {
            stats.add("node", cluster.nodeId());
            stats.add("cluster", clusterView(cluster.nodes()));
        }
        return stats.build();
    }

    /**
     * The nodes alive at the last report, with what each reported, and the sessions of each
     * endpoint over all of them. Namespaces are counted per node only: one namespace may have
     * sessions on several nodes.
     */
    static JsonObject clusterView(Map<String, String> reports) {
        JsonArrayBuilder nodes = Json.createArrayBuilder();
        Map<String, Long> totals = new LinkedHashMap<>();
        totals.put("sessions", 0L);
        for (String endpoint : ENDPOINTS) {
            totals.put(endpoint, 0L);
        }
        reports.forEach((id, report) -> {
            JsonObject node = parse(report);
            nodes.add(Json.createObjectBuilder(node).add("id", id));
            totals.merge("sessions", number(node, "sessions"), Long::sum);
            for (String endpoint : ENDPOINTS) {
                JsonValue usage = node.get(endpoint);
                if (usage instanceof JsonObject object) {
                    totals.merge(endpoint, number(object, "sessions"), Long::sum);
                }
            }
        });
        JsonObjectBuilder view = Json.createObjectBuilder().add("nodes", nodes).add("sessions", totals.get("sessions"));
        for (String endpoint : ENDPOINTS) {
            view.add(endpoint, Json.createObjectBuilder().add("sessions", totals.get(endpoint)));
        }
        return view.build();
    }

    private static JsonObject parse(String report) {
        try (JsonReader reader = Json.createReader(new StringReader(report))) {
            return reader.readObject();
        } catch (RuntimeException e) {
            return JsonValue.EMPTY_JSON_OBJECT; // a node of another version, say: counted as empty
        }
    }

    private static long number(JsonObject object, String name) {
        return object.get(name) instanceof JsonNumber number ? number.longValue() : 0;
    }

    private static JsonObjectBuilder usage(Usage usage) {
        return Json.createObjectBuilder()
                .add("namespaces", usage.namespaces())
                .add("sessions", usage.sessions());
    }
}
