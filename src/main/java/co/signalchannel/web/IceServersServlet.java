package co.signalchannel.web;

import co.signalchannel.access.AccessGate;
import co.signalchannel.access.Grant;
import co.signalchannel.access.TokenRefusedException;
import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.config.TextSetting;
import co.signalchannel.connection.EndpointBeans;
import co.signalchannel.ice.TurnCredentials;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.StringReader;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/ice-servers}: the STUN/TURN servers browsers should use, as a JSON array of
 * {@code RTCIceServer} objects, e.g. {@code [{"urls": "turn:turn.example.org:3478",
 * "username": "u", "credential": "p"}]}. The browser client fetches it with
 * {@code iceServers: 'v1/ice-servers'}.
 *
 * <p>The list is the operator's ({@code signalchannel.ice-servers}: the system property or
 * context parameter, or the environment variable {@code SIGNALCHANNEL_ICE_SERVERS}; the default
 * is {@code []}: no server is contacted unless the operator names one), followed, when
 * {@code turn.secret} and {@code turn.urls} are set, by a TURN server with a credential made for
 * this answer ({@link TurnCredentials}) under a random user id, so credentials cannot be linked
 * to each other. A value that is not a JSON array, or a secret without URLs, stops the deployment.
 *
 * <p>When sessions need tokens, so does this: {@code Authorization: Bearer <token>}, answered 401
 * without one that is valid; the credential's user id is then the token's {@code sub}, so the
 * TURN server's logs name who relayed.
 */
@WebServlet(urlPatterns = "/v1/ice-servers", loadOnStartup = 1)
public class IceServersServlet extends HttpServlet {

    static final String PROPERTY = "signalchannel.ice-servers";
    static final String ENVIRONMENT = "SIGNALCHANNEL_ICE_SERVERS";

    private static final SecureRandom RANDOM = new SecureRandom();

    private JsonArray iceServers;
    private TurnCredentials turn;

    @Override
    public void init() throws ServletException {
        Settings settings = Settings.resolve(System::getProperty, System::getenv, getServletContext()::getInitParameter);
        turn = turn(settings);
        String configured = System.getProperty(PROPERTY);
        if (configured == null) {
            configured = System.getenv(ENVIRONMENT);
        }
        if (configured == null) {
            configured = getServletContext().getInitParameter(PROPERTY);
        }
        iceServers = configured == null || configured.isBlank() ? JsonValue.EMPTY_JSON_ARRAY : parse(configured);
    }

    /** The TURN credentials the settings ask for, or null when {@code turn.secret} is unset. */
    static TurnCredentials turn(Settings settings) throws ServletException {
        String secret = settings.text(TextSetting.TURN_SECRET);
        if (secret.isEmpty()) {
            return null;
        }
        List<String> urls = Arrays.stream(settings.text(TextSetting.TURN_URLS).split(","))
                .map(String::strip).filter(url -> !url.isEmpty()).toList();
        if (urls.isEmpty()) {
            throw new ServletException(TextSetting.TURN_SECRET.propertyName() + " is set but "
                    + TextSetting.TURN_URLS.propertyName() + " names no TURN server");
        }
        return new TurnCredentials(urls, secret, settings.duration(Setting.TURN_LIFETIME_MS));
    }

    /**
     * The answer: the operator's list, then a TURN server with a fresh credential if configured,
     * for {@code subject} (a token's {@code sub}) or, without one, for a random id.
     */
    static JsonArray answer(JsonArray configured, TurnCredentials turn, Optional<String> subject, Instant now) {
        if (turn == null) {
            return configured;
        }
        TurnCredentials.Credential credential = turn.issue(subject.map(IceServersServlet::turnUserId)
                .orElseGet(IceServersServlet::randomId), now);
        return Json.createArrayBuilder(configured)
                .add(Json.createObjectBuilder()
                        .add("urls", Json.createArrayBuilder(credential.urls()))
                        .add("username", credential.username())
                        .add("credential", credential.credential()))
                .build();
    }

    private static String randomId() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** A subject as a TURN user id: coturn reads the expiry up to the first {@code :}, so {@code :} (and {@code %}) are escaped. */
    static String turnUserId(String subject) {
        return subject.replace("%", "%25").replace(":", "%3A");
    }

    static JsonArray parse(String configured) throws ServletException {
        try (JsonReader reader = Json.createReader(new StringReader(configured))) {
            return reader.readArray();
        } catch (JsonException | IllegalStateException e) {
            throw new ServletException(PROPERTY + " must be a JSON array of RTCIceServer objects, got: " + configured, e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store"); // TURN credentials may rotate
        Optional<Grant> grant;
        try {
            grant = EndpointBeans.get(AccessGate.class).bearer(bearerToken(request.getHeader("Authorization")));
        } catch (TokenRefusedException refused) {
            // RFC 6750: the client learns the token did not do, and nothing about why.
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            response.getWriter().write(Json.createObjectBuilder().add("error", refused.getMessage()).build().toString());
            return;
        }
        response.getWriter().write(answer(iceServers, turn, grant.flatMap(Grant::subject), Instant.now()).toString());
    }

    /** The token of an {@code Authorization: Bearer <token>} header. */
    static Optional<String> bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = authorization.substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
