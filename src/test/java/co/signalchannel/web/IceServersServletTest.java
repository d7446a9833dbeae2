package co.signalchannel.web;

import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IceServersServletTest {

    @Test
    void acceptsAJsonArrayOfIceServers() throws Exception {
        assertThat(IceServersServlet.parse("[{\"urls\":\"turn:127.0.0.1:3478\",\"username\":\"u\",\"credential\":\"p\"}]"))
                .hasSize(1);
    }

    @Test
    void refusesAnythingElseNamingTheSetting() {
        assertThatThrownBy(() -> IceServersServlet.parse("{\"urls\":\"stun:x\"}"))
                .isInstanceOf(ServletException.class).hasMessageContaining("signalchannel.ice-servers");
        assertThatThrownBy(() -> IceServersServlet.parse("turn:x"))
                .isInstanceOf(ServletException.class);
    }
}
