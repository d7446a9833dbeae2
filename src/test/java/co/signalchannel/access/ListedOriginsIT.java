package co.signalchannel.access;

import co.signalchannel.config.TextSetting;
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
 * Allowed origins set to a list, in a real container: exactly the origins it names connect, and
 * clients with no origin too where {@code signalchannel.allow-no-origin} says so.
 */
@ExtendWith(ArquillianExtension.class)
class ListedOriginsIT {

    static final String LISTED = "https://app.example.org";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("origins-listed", Map.of(), Map.of(
                TextSetting.ALLOWED_ORIGINS, LISTED + ", http://localhost:3000",
                TextSetting.ALLOW_NO_ORIGIN, "true"));
    }

    final Endpoints listed = Endpoints.deployed("origins-listed");

    @Test
    void aListAdmitsExactlyTheOriginsItNames() throws Exception {
        URI uri = listed.ws("relay", "listed");
        assertThat(RawHandshake.to(uri).header("Origin", LISTED).send(uri.getRawPath()).status()).isEqualTo(101);
        assertThat(RawHandshake.to(uri).header("Origin", "HTTPS://APP.EXAMPLE.ORG:443").send(uri.getRawPath()).status())
                .as("the same origin spelled otherwise").isEqualTo(101);
        assertThat(RawHandshake.to(uri).header("Origin", "http://localhost:3000").send(uri.getRawPath()).status()).isEqualTo(101);
        assertThat(RawHandshake.to(uri).header("Origin", "http://app.example.org").send(uri.getRawPath()).status())
                .as("another scheme").isEqualTo(403);
        assertThat(RawHandshake.to(uri).header("Origin", "http://127.0.0.1:" + uri.getPort()).send(uri.getRawPath()).status())
                .as("the server's own origin, not listed").isEqualTo(403);
    }

    @Test
    void aClientWithNoOriginConnectsWhereTheSettingAdmitsIt() throws Exception {
        try (TestClient tool = TestClient.to(listed.ws("echo", "tool")).origin(null).connect()) {
            tool.send("from a tool");
            assertThat(tool.nextText()).isEqualTo("from a tool");
        }
    }
}
