package co.signalchannel.health;

import co.signalchannel.connection.Admission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the two probes answer, from what the server reports of itself.
 *
 * <ul>
 *   <li><b>Live</b> ({@code /health/live}): the application is deployed and its own threads (the
 *       timers that run heartbeats, close timeouts and token expiries) still run. DOWN means a
 *       restart is the cure.</li>
 *   <li><b>Ready</b> ({@code /health/ready}): a new session would be admitted. DOWN while the
 *       application is still starting, while it drains before stopping, and, in a cluster, while
 *       this node cannot reach Redis. DOWN means "send new clients elsewhere", not "restart".</li>
 * </ul>
 */
public final class Probes {

    private Probes() {
    }

    /** What liveness looks at. */
    public record Liveness(boolean timersRunning, int sessions) {
    }

    /**
     * What readiness looks at.
     *
     * @param clustered        whether this server is a node of a cluster
     * @param clusterAvailable whether its Redis answers (ignored when not clustered)
     */
    public record Readiness(Admission.Phase phase, int sessions, boolean clustered, boolean clusterAvailable,
                            String nodeId) {
    }

    public static HealthReport live(Liveness state) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", state.sessions());
        return new HealthReport(List.of(new Check("timers", state.timersRunning(), data)));
    }

    public static HealthReport ready(Readiness state) {
        List<Check> checks = new ArrayList<>();
        Map<String, Object> admission = new LinkedHashMap<>();
        admission.put("phase", state.phase().name().toLowerCase(java.util.Locale.ROOT));
        admission.put("sessions", state.sessions());
        checks.add(new Check("sessions", state.phase() == Admission.Phase.OPEN, admission));
        if (state.clustered()) {
            Map<String, Object> cluster = new LinkedHashMap<>();
            cluster.put("node", state.nodeId());
            cluster.put("redis", state.clusterAvailable() ? "answering" : "unreachable");
            checks.add(new Check("cluster", state.clusterAvailable(), cluster));
        }
        return new HealthReport(checks);
    }

    /** The answer before the application's beans can be reached at all: DOWN, saying why. */
    public static HealthReport unavailable(String probe, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reason", reason);
        return new HealthReport(List.of(new Check(probe, false, data)));
    }
}
