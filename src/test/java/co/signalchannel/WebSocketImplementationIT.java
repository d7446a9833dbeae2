package co.signalchannel;

import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped WAR's endpoints are served by the WebSocket implementation the server under test is
 * meant to use, named (as a package prefix) by the system property
 * {@code signalchannel.websocket.implementation}: Tyrus on Payara and on Tomcat, where the Tomcat
 * WAR bundles it and Tomcat's own implementation must stay out of the way; Undertow on WildFly.
 */
@ExtendWith(ArquillianExtension.class)
class WebSocketImplementationIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.packaged("implementation");
    }

    @Test
    void sessionsComeFromTheImplementationThisServerIsMeantToUse() throws Exception {
        String expected = System.getProperty("signalchannel.websocket.implementation", "org.glassfish.tyrus.");
        Endpoints endpoints = Endpoints.deployed("implementation");
        try (TestClient client = TestClient.connect(endpoints.ws("echo", "which"))) {
            endpoints.awaitSessions("echo", "which", 1);
            assertThat(endpoints.stats().getString("websocket", "(none)"))
                    .as("class of the WebSocket sessions the server hands the endpoints")
                    .startsWith(expected);
            client.send("served");
            assertThat(client.nextText()).isEqualTo("served");
        }
    }
}
