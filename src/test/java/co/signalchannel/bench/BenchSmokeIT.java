package co.signalchannel.bench;

import co.signalchannel.bench.baseline.BaselineEchoEndpoint;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark harness in miniature, so that it cannot rot: every scenario with a handful of
 * sessions for a fraction of a second, against signal-channel and the baseline endpoints packed
 * into one WAR. It checks that the harness runs and that every delivery is accounted for (and
 * every churn handshake answered with 101, every churn call complete: those are problems of the
 * run); it asserts nothing about speed.
 *
 * <p>The cluster scenario is left out (its absence is an observation of the report): it boots three
 * Payara Micro nodes of its own, which took 60 to 140 s on the 2-core machine, more than this whole
 * test may add to the build. The parts it is made of run here (open-loop fan-out, the churn's calls)
 * or in the multi-node tests ({@code ServerNode}, {@code RedisServer}); {@code bench/run.sh
 * -Dbench.only=cluster -Dbench.smoke=true} runs it at this size by hand.
 */
@ExtendWith(ArquillianExtension.class)
class BenchSmokeIT {

    private static final String NAME = "bench-smoke";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel(NAME, Bench.serverSettings()).addPackage(BaselineEchoEndpoint.class.getPackage());
    }

    @Test
    void everyScenarioRunsAndAccountsForEveryDelivery() throws Exception {
        URI base = Endpoints.deployed(NAME).http("");
        Report report = Bench.run(BenchConfig.smoke(), Target.signalChannel(base), Target.baseline(base), null,
                Map.of("Container", "Payara Micro, Arquillian-managed (smoke run)"));
        Path out = Path.of("target", "bench-smoke");
        report.write(out);

        assertThat(report.problems).as("problems").isEmpty();
        assertThat(report.tallies).as("deliveries").isNotEmpty().allSatisfy(tally -> {
            assertThat(tally.expected()).as(tally.scenario() + " on " + tally.server() + ": expected").isPositive();
            assertThat(tally.clean()).as(tally + " is clean").isTrue();
        });
        assertThat(report.sections).extracting(Report.Section::title).contains("Echo fan-out, N = 10",
                "Relay", "Call set-up over echo", CallChurn.TITLE, "Scuttlebutt", "Idle connections", "Connects and reconnect storm");
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(out.resolve("report.json"))))) {
            JsonObject json = reader.readObject();
            assertThat(json.getJsonArray("scenarios")).hasSameSizeAs(report.sections);
        }
        assertThat(out.resolve("report.md")).content().contains("## Targets");
    }
}
