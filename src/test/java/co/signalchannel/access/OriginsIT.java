package co.signalchannel.access;

import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RawHandshake;
import co.signalchannel.testing.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Allowed origins in a real container, by default: a page from the server's own host and port
 * connects; a handshake from a page of another origin, or from a client with no origin, is
 * answered 403 and never reaches an endpoint. {@link ListedOriginsIT} sets a list.
 */
@ExtendWith(ArquillianExtension.class)
class OriginsIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("origins", Map.of());
    }

    final Endpoints byDefault = Endpoints.deployed("origins");

    @Test
    void byDefaultAPageFromTheServersOwnHostAndPortConnects() throws Exception {
        URI uri = byDefault.ws("echo", "own");
        try (TestClient page = TestClient.to(uri).origin("http://127.0.0.1:" + uri.getPort()).connect()) {
            page.send("here");
            assertThat(page.nextText()).isEqualTo("here");
        }
    }

    @Test
    void byDefaultAnotherSitesPageIsRefusedWith403AndNeverReachesTheEndpoint() throws Exception {
        URI uri = byDefault.ws("echo", "foreign");
        for (String origin : new String[]{"https://evil.example", "http://127.0.0.1:1", "http://localhost:" + uri.getPort(), "null"}) {
            RawHandshake.Answer answer = RawHandshake.to(uri).header("Origin", origin).send(uri.getRawPath());
            assertThat(answer.status()).as(origin).isEqualTo(403);
            assertThat(answer.body()).as(origin).contains("may not open sessions").contains("signalchannel.allowed-origins");
        }
        assertThat(byDefault.sessions("echo", "foreign")).isZero();
    }

    @Test
    void byDefaultAClientWithNoOriginIsRefusedWith403() throws Exception {
        URI uri = byDefault.ws("scuttlebutt", "no-origin");
        RawHandshake.Answer answer = RawHandshake.to(uri).header("Origin", null).send(uri.getRawPath());
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).contains("no Origin header").contains("signalchannel.allow-no-origin");
    }
}
