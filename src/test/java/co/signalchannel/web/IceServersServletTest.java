package co.signalchannel.web;

import co.signalchannel.config.Settings;
import co.signalchannel.config.TextSetting;
import co.signalchannel.ice.TurnCredentials;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.Optional;

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

    @Test
    void withASecretEveryAnswerEndsWithATurnServerAndAFreshCredential() throws Exception {
        Settings settings = Settings.defaults()
                .with(TextSetting.TURN_SECRET, "north")
                .with(TextSetting.TURN_URLS, "turn:127.0.0.1:3478?transport=udp, turns:127.0.0.1:5349");
        TurnCredentials turn = IceServersServlet.turn(settings);
        JsonArray configured = IceServersServlet.parse("[{\"urls\":\"stun:127.0.0.1:3478\"}]");

        JsonArray first = IceServersServlet.answer(configured, turn, Optional.empty(), Instant.ofEpochSecond(1_700_000_000L));
        JsonArray second = IceServersServlet.answer(configured, turn, Optional.empty(), Instant.ofEpochSecond(1_700_000_000L));

        assertThat(first).hasSize(2);
        assertThat(first.get(0)).isEqualTo(configured.get(0));
        JsonObject server = first.getJsonObject(1);
        assertThat(server.getJsonArray("urls").getValuesAs(JsonString::getString))
                .containsExactly("turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349");
        String username = server.getString("username");
        assertThat(username).startsWith((1_700_000_000L + 3_600) + ":");
        assertThat(server.getString("credential")).isEqualTo(turn.issue(username.substring(username.indexOf(':') + 1),
                Instant.ofEpochSecond(1_700_000_000L)).credential());
        assertThat(second.getJsonObject(1).getString("username")).as("a new random id each time").isNotEqualTo(username);
    }

    @Test
    void withoutASecretTheAnswerIsTheConfiguredListAndASecretWithoutUrlsStopsTheDeployment() throws Exception {
        assertThat(IceServersServlet.turn(Settings.defaults())).isNull();
        assertThat(IceServersServlet.answer(JsonValue.EMPTY_JSON_ARRAY, null, Optional.empty(), Instant.EPOCH)).isEmpty();
        assertThatThrownBy(() -> IceServersServlet.turn(Settings.defaults().with(TextSetting.TURN_SECRET, "north")))
                .isInstanceOf(ServletException.class).hasMessageContaining("signalchannel.turn.urls");
    }

    @Test
    void aTokensSubjectIsTheTurnUserIdWithItsColonsEscapedSoCoturnStillReadsTheExpiry() throws Exception {
        TurnCredentials turn = IceServersServlet.turn(Settings.defaults()
                .with(TextSetting.TURN_SECRET, "north").with(TextSetting.TURN_URLS, "turn:127.0.0.1:3478"));

        JsonArray answer = IceServersServlet.answer(JsonValue.EMPTY_JSON_ARRAY, turn, Optional.of("urn:user:50%"),
                Instant.ofEpochSecond(1_700_000_000L));

        assertThat(answer.getJsonObject(0).getString("username")).isEqualTo((1_700_000_000L + 3_600) + ":urn%3Auser%3A50%25");
    }

    @Test
    void aBearerTokenIsReadFromTheAuthorizationHeaderAndNothingElse() {
        assertThat(IceServersServlet.bearerToken("Bearer abc.def.ghi")).contains("abc.def.ghi");
        assertThat(IceServersServlet.bearerToken("bearer  abc ")).contains("abc");
        assertThat(IceServersServlet.bearerToken(null)).isEmpty();
        assertThat(IceServersServlet.bearerToken("Basic dXNlcjpwYXNz")).isEmpty();
        assertThat(IceServersServlet.bearerToken("Bearer ")).isEmpty();
    }
}
