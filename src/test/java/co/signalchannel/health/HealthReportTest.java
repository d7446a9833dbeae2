package co.signalchannel.health;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthReportTest {

    @Test
    void upWhenEveryCheckIsUpWith200() {
        HealthReport report = new HealthReport(List.of(Check.up("a", Map.of()), Check.up("b", Map.of())));
        assertThat(report.up()).isTrue();
        assertThat(report.httpStatus()).isEqualTo(200);
        assertThat(report.toJson().getString("status")).isEqualTo("UP");
    }

    @Test
    void downWhenAnyCheckIsDownWith503() {
        HealthReport report = new HealthReport(List.of(Check.up("a", Map.of()), Check.down("b", Map.of())));
        assertThat(report.up()).isFalse();
        assertThat(report.httpStatus()).isEqualTo(503);
        assertThat(report.toJson().getString("status")).isEqualTo("DOWN");
    }

    @Test
    void noChecksIsUp() {
        assertThat(new HealthReport(List.of()).toJson().toString()).isEqualTo("{\"status\":\"UP\",\"checks\":[]}");
    }

    @Test
    void jsonHasTheMicroProfileHealthShapeWithTypedData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("phase", "open");
        data.put("sessions", 3);
        data.put("clustered", false);
        JsonObject json = new HealthReport(List.of(Check.up("sessions", data))).toJson();
        assertThat(json.toString()).isEqualTo("{\"status\":\"UP\",\"checks\":[{\"name\":\"sessions\",\"status\":\"UP\","
                + "\"data\":{\"phase\":\"open\",\"sessions\":3,\"clustered\":false}}]}");
    }

    @Test
    void refusesDataThatIsNotAScalar() {
        assertThatThrownBy(() -> Check.up("x", Map.of("list", List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("check x");
    }
}
