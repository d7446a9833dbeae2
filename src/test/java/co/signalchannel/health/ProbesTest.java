package co.signalchannel.health;

import co.signalchannel.connection.Admission.Phase;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class ProbesTest {

    @Test
    void liveWhileTheTimersRun() {
        assertThat(Probes.live(new Probes.Liveness(true, 4)).toJson().toString()).isEqualTo(
                "{\"status\":\"UP\",\"checks\":[{\"name\":\"timers\",\"status\":\"UP\",\"data\":{\"sessions\":4}}]}");
        assertThat(Probes.live(new Probes.Liveness(false, 0)).httpStatus()).isEqualTo(503);
    }

    @Test
    void readyOnlyWhileAdmitting() {
        JsonObject json = Probes.ready(new Probes.Readiness(Phase.OPEN, 2, false, false, "")).toJson();
        assertThat(json.toString()).isEqualTo("{\"status\":\"UP\",\"checks\":[{\"name\":\"sessions\",\"status\":\"UP\","
                + "\"data\":{\"phase\":\"open\",\"sessions\":2}}]}");
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"STARTING", "DRAINING", "STOPPED"})
    void notReadyWhileStartingOrDraining(Phase phase) {
        HealthReport report = Probes.ready(new Probes.Readiness(phase, 1, false, false, ""));
        assertThat(report.httpStatus()).isEqualTo(503);
        assertThat(report.toJson().getJsonArray("checks").getJsonObject(0).getJsonObject("data").getString("phase"))
                .isEqualTo(phase.name().toLowerCase());
    }

    @Test
    void aClusterNodeIsNotReadyWhileRedisIsUnreachable() {
        HealthReport lost = Probes.ready(new Probes.Readiness(Phase.OPEN, 0, true, false, "node-a"));
        assertThat(lost.httpStatus()).isEqualTo(503);
        assertThat(lost.toJson().getJsonArray("checks").getJsonObject(1).toString()).isEqualTo(
                "{\"name\":\"cluster\",\"status\":\"DOWN\",\"data\":{\"node\":\"node-a\",\"redis\":\"unreachable\"}}");
        assertThat(Probes.ready(new Probes.Readiness(Phase.OPEN, 0, true, true, "node-a")).httpStatus()).isEqualTo(200);
    }

    @Test
    void beforeTheBeansCanBeReachedItIsDown() {
        assertThat(Probes.unavailable("sessions", "starting").toJson().toString()).isEqualTo(
                "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"sessions\",\"status\":\"DOWN\",\"data\":{\"reason\":\"starting\"}}]}");
    }
}
