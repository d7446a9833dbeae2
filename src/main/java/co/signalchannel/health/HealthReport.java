package co.signalchannel.health;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.List;

/**
 * A probe's answer in the MicroProfile Health shape:
 * {@code {"status":"UP"|"DOWN","checks":[{"name":…,"status":…,"data":{…}}]}}. It is UP when every
 * check is (and when there is none), DOWN otherwise; served with 200 when UP and 503 when DOWN,
 * which Kubernetes probes and load balancers read without looking at the body.
 */
public record HealthReport(List<Check> checks) {

    public HealthReport {
        checks = List.copyOf(checks);
    }

    public boolean up() {
        return checks.stream().allMatch(Check::up);
    }

    public int httpStatus() {
        return up() ? 200 : 503;
    }

    public JsonObject toJson() {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (Check check : checks) {
            JsonObjectBuilder data = Json.createObjectBuilder();
            check.data().forEach((key, value) -> add(data, key, value));
            array.add(Json.createObjectBuilder()
                    .add("name", check.name())
                    .add("status", status(check.up()))
                    .add("data", data));
        }
        return Json.createObjectBuilder().add("status", status(up())).add("checks", array).build();
    }

    private static String status(boolean up) {
        return up ? "UP" : "DOWN";
    }

    private static void add(JsonObjectBuilder data, String key, Object value) {
        if (value instanceof Boolean flag) {
            data.add(key, flag);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            data.add(key, ((Number) value).longValue());
        } else if (value instanceof Number number) {
            data.add(key, number.doubleValue());
        } else {
            data.add(key, value.toString());
        }
    }
}
