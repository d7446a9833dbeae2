package co.signalchannel.health;

import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RawWebSocket;
import co.signalchannel.testing.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probes, and the drain as the application is undeployed: the test deploys and undeploys the
 * WAR itself ({@code managed = false}). Undeploying is what each server does when it stops: the
 * Payara Micro adapter stops its Payara Micro process with SIGTERM, WildFly and Tomcat undeploy
 * the WAR from the running server.
 */
@ExtendWith(ArquillianExtension.class)
class DrainIT {

    private static final String NAME = "drain";
    private static final long DRAIN_TIMEOUT_MS = 3_000;
    private static final int MESSAGES = 200;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        // the WAR as shipped, libraries and all (the token verifier's among them)
        return Deployments.packaged(NAME, Map.of("drain.timeout-ms", String.valueOf(DRAIN_TIMEOUT_MS)));
    }

    @ArquillianResource
    Deployer deployer;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** What a probe answered (status -1: no HTTP answer at all). */
    record Answer(long atMillis, int status, String body) {
    }

    @Test
    void probesAnswerThenTheUndeployedServerDrainsAndClosesEverySessionWith1001() throws Exception {
        deployer.deploy(NAME);
        Endpoints endpoints = Endpoints.deployed(NAME);
        try {
            HttpResponse<String> live = get(endpoints, "health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(json(live.body()).getString("status")).isEqualTo("UP");
            HttpResponse<String> ready = get(endpoints, "health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(json(ready.body()).getJsonArray("checks").getJsonObject(0).getJsonObject("data")
                    .getString("phase")).isEqualTo("open");
        } catch (AssertionError | RuntimeException e) {
            deployer.undeploy(NAME);
            throw e;
        }

        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(TestClient.connect(endpoints.ws("echo", "room")));
        }
        // a client that stopped reading: its close is never answered, so the drain lasts its whole timeout
        RawWebSocket stalled = RawWebSocket.connect(endpoints.ws("echo", "room"));
        endpoints.awaitSessions("echo", "room", 4);
        for (int i = 0; i < MESSAGES; i++) {
            clients.get(0).send("message " + i);
        }
        // the sender's own copies back: the server has taken every message and queued it for everyone
        for (int i = 0; i < MESSAGES; i++) {
            assertThat(clients.get(0).nextText()).isEqualTo("message " + i);
        }

        long start = System.nanoTime();
        List<Answer> readiness = new CopyOnWriteArrayList<>();
        List<String> handshakes = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        // Arquillian's deployer works on the test's own thread only: the probing is done beside it
        CompletableFuture<Void> probing = CompletableFuture.runAsync(() -> {
            while (!done.get()) {
                readiness.add(probe(endpoints, start));
                try (TestClient late = TestClient.connect(endpoints.ws("echo", "late"))) {
                    handshakes.add("upgraded; closed with " + late.awaitClose());
                } catch (Exception refused) {
                    handshakes.add(String.valueOf(refused));
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        RawWebSocket.Ending ending;
        try {
            // the Payara Micro adapter returns once it has sent SIGTERM; WildFly and Tomcat once undeployed
            deployer.undeploy(NAME);
            long undeployedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            for (TestClient client : clients.subList(1, clients.size())) {
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(client.nextText()).as("what was queued before the drain is sent first")
                            .isEqualTo("message " + i);
                }
            }
            for (TestClient client : clients) {
                assertThat(client.awaitClose()).isEqualTo(new TestClient.Close(1001, "server shutting down"));
            }
            ending = stalled.drainUntilClose(Duration.ofSeconds(15));
            long closedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Thread.sleep(500);
            done.set(true);
            probing.get(1, TimeUnit.MINUTES);
            System.out.printf("DrainIT: undeploy returned after %d ms, the stalled client's connection ended after %d ms;"
                            + " readiness answers %s; late handshakes %s%n", undeployedMillis, closedMillis,
                    transitions(readiness), handshakes.stream().distinct().toList());
        } finally {
            done.set(true);
            stalled.close();
        }
        assertThat(ending.closeCode()).as("the stalled client's close").hasValue(1001);
        // Not ready from the moment the undeployment begins. Which answer says so is the server's: ours
        // ({"status":"DOWN",... "phase":"draining"}) while the context is still served, else the
        // server's own once it stops serving the context around the drain (Payara Micro: its HTML 503;
        // WildFly: 404), or no answer once the process is gone.
        assertThat(readiness).as("readiness once the undeployment began")
                .anySatisfy(answer -> assertThat(answer.status()).isIn(503, 404, -1));
        assertThat(handshakes).as("handshakes during the drain: refused, or closed with 1001 if upgraded as it began")
                .allMatch(handshake -> !handshake.startsWith("upgraded") || handshake.contains("1001"));
        long firstNotReady = readiness.stream().filter(a -> a.status() != 200).mapToLong(Answer::atMillis)
                .min().orElse(Long.MAX_VALUE);
        assertThat(readiness).as("never ready again once the drain began")
                .noneMatch(answer -> answer.status() == 200 && answer.atMillis() > firstNotReady);
    }

    /** The answers where they changed: "at ms: status body". */
    private static List<String> transitions(List<Answer> answers) {
        List<String> changes = new ArrayList<>();
        Answer previous = null;
        for (Answer answer : answers) {
            if (previous == null || previous.status() != answer.status() || !previous.body().equals(answer.body())) {
                changes.add(answer.atMillis() + " ms: " + answer.status() + " " + answer.body());
            }
            previous = answer;
        }
        return changes;
    }

    private Answer probe(Endpoints endpoints, long start) {
        long at = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        try {
            HttpResponse<String> response = get(endpoints, "health/ready");
            return new Answer(at, response.statusCode(), response.body());
        } catch (Exception e) {
            return new Answer(at, -1, e.toString());
        }
    }

    private HttpResponse<String> get(Endpoints endpoints, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(endpoints.http(path)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }
}
