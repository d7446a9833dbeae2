package co.signalchannel;

import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The WAR exactly as {@code mvn package} ships it: deploys, serves its pages and its endpoints. */
@ExtendWith(ArquillianExtension.class)
class SmokeIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.packaged("smoke");
    }

    @Test
    void servesTheIndexPageAndStats() throws Exception {
        Endpoints endpoints = Endpoints.deployed("smoke");
        HttpResponse<String> index = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(endpoints.http("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("signal-channel");
        assertThat(endpoints.stats().getInt("sessions")).isZero();
    }

    @Test
    void servesTheClientLibraryToAnyOriginAndNoIceServersByDefault() throws Exception {
        Endpoints endpoints = Endpoints.deployed("smoke");
        HttpResponse<String> library = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(endpoints.http("js/signal-channel.js")).header("Origin", "http://other.test").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(library.statusCode()).isEqualTo(200);
        assertThat(library.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
        assertThat(library.body()).contains("export");
        HttpResponse<String> ice = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(endpoints.http("v1/ice-servers")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ice.body()).isEqualTo("[]");
    }

    @Test
    void echoAndRelayAnswer() throws Exception {
        Endpoints endpoints = Endpoints.deployed("smoke");
        try (TestClient echo = TestClient.connect(endpoints.ws("echo", "default"))) {
            echo.send("ping");
            assertThat(echo.nextText()).isEqualTo("ping");
        }
        try (TestClient a = TestClient.connect(endpoints.ws("relay", "default"));
             TestClient b = TestClient.connect(endpoints.ws("relay", "default"))) {
            a.send("{\"local\":\"a\",\"remote\":\"b\"}");
            b.send("{\"local\":\"b\",\"remote\":\"a\"}");
            assertThat(a.nextText()).isEqualTo("{\"open\":true}");
            assertThat(b.nextText()).isEqualTo("{\"open\":true}");
            a.send(new byte[]{42});
            assertThat(b.nextBinary()).containsExactly(42);
        }
    }
}
