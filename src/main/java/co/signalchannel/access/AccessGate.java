package co.signalchannel.access;

import co.signalchannel.config.Configuration;
import co.signalchannel.config.Setting;
import co.signalchannel.config.Settings;
import co.signalchannel.config.TextSetting;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.servlet.ServletContext;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's door: checks every opening handshake (origin, per-address limits, token and its
 * namespace claims) and keeps the per-address and per-subject counts of open sessions. Built from
 * the settings at start-up; a setting it cannot read stops the deployment.
 */
@ApplicationScoped
public class AccessGate {

    /** What the checks need of a handshake, read from its HTTP request. */
    public record Handshake(List<String> origins, String host, String peer, List<String> forwarded,
                            List<String> xForwardedFor, List<String> protocols, String endpoint, String namespace) {
    }

    /** The outcome of the handshake checks. */
    public sealed interface Verdict {
    }

    /** Refused with an HTTP status (403, 429) and a line saying why; never reaches an endpoint. */
    public record Refused(int status, String message) implements Verdict {
    }

    /** Goes on to the WebSocket implementation, carrying what was found out (and maybe a refusal to close with). */
    public record Admitted(Visitor visitor) implements Verdict {
    }

    /** Subjects listed in stats: the ones with the most sessions. */
    private static final int SUBJECTS_SHOWN = 20;

    @Inject
    Configuration configuration;

    private AllowedOrigins origins;
    private TrustedProxies proxies;
    private AddressLimits addresses;
    private Optional<TokenVerifier> tokens;
    private SessionRate.Limits sessionRate;
    private final Map<String, Integer> subjects = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "signal-channel-address-sweeper");
        thread.setDaemon(true);
        return thread;
    });

    @PostConstruct
    void init() {
        Settings settings = configuration.settings();
        origins = AllowedOrigins.parse(settings.text(TextSetting.ALLOWED_ORIGINS),
                flag(settings, TextSetting.ALLOW_NO_ORIGIN));
        proxies = TrustedProxies.parse(settings.text(TextSetting.TRUSTED_PROXIES));
        addresses = new AddressLimits(new AddressLimits.Limits(settings.get(Setting.ADDRESS_SESSIONS_PER_SECOND),
                settings.get(Setting.ADDRESS_SESSIONS_BURST), settings.getInt(Setting.ADDRESS_MAX_SESSIONS)),
                System::nanoTime);
        tokens = TokenVerifier.of(settings.text(TextSetting.AUTH_HMAC_SECRETS),
                settings.text(TextSetting.AUTH_PUBLIC_KEYS), settings.text(TextSetting.AUTH_JWKS));
        sessionRate = new SessionRate.Limits(settings.get(Setting.RATE_MESSAGES_PER_SECOND),
                settings.get(Setting.RATE_MESSAGES_BURST), settings.get(Setting.RATE_BYTES_PER_SECOND),
                settings.get(Setting.RATE_BYTES_BURST));
        sweeper.scheduleWithFixedDelay(addresses::forgetIdle, 10, 10, TimeUnit.SECONDS);
    }

    /**
     * Builds the gate as the application starts, after {@link Configuration} has read the
     * settings, so a setting it cannot read (a short secret, a missing key file) fails the
     * deployment rather than every handshake.
     */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) @Initialized(ApplicationScoped.class)
                 ServletContext context) {
        tokensRequired(); // touching the bean runs init()
    }

    @PreDestroy
    void stop() {
        sweeper.shutdownNow();
    }

    private static boolean flag(Settings settings, TextSetting setting) {
        String value = settings.text(setting);
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(setting.propertyName() + " is \"" + value
                    + "\"; it must be true or false");
        };
    }

    /** Checks an opening handshake, in order: its origin (403), its address's limits (429), its token (1008). */
    public Verdict handshake(Handshake handshake) {
        Optional<String> foreign = origins.refusal(handshake.origins(), handshake.host());
        if (foreign.isPresent()) {
            return new Refused(403, foreign.get());
        }
        String address = proxies.clientOf(handshake.peer(), handshake.forwarded(), handshake.xForwardedFor());
        Optional<String> crowded = addresses.handshake(address);
        if (crowded.isPresent()) {
            return new Refused(429, crowded.get());
        }
        if (tokens.isEmpty()) {
            return new Admitted(new Visitor(address, Optional.empty(), Optional.empty()));
        }
        try {
            Optional<String> token = TokenProtocol.tokenIn(handshake.protocols());
            if (token.isEmpty()) {
                return new Admitted(Visitor.refused(address, "token required"));
            }
            Grant grant = tokens.get().verify(token.get(), Instant.now());
            if (handshake.endpoint() != null && !grant.allows(handshake.endpoint(), handshake.namespace())) {
                return new Admitted(Visitor.refused(address, "the token does not grant this namespace"));
            }
            return new Admitted(new Visitor(address, Optional.of(grant), Optional.empty()));
        } catch (TokenRefusedException refused) {
            return new Admitted(Visitor.refused(address, refused.getMessage()));
        }
    }

    /** Whether every session must present a token. */
    public boolean tokensRequired() {
        return tokens.isPresent();
    }

    /**
     * What a bearer token (an HTTP request's, e.g. for ICE servers) grants now.
     *
     * @throws TokenRefusedException if tokens are on and it is missing or not valid
     * @return empty when tokens are off
     */
    public Optional<Grant> bearer(Optional<String> token) throws TokenRefusedException {
        if (tokens.isEmpty()) {
            return Optional.empty();
        }
        if (token.isEmpty()) {
            throw new TokenRefusedException("token required");
        }
        return Optional.of(tokens.get().verify(token.get(), Instant.now()));
    }

    /** The rate limits of a new session. */
    public SessionRate sessionRate() {
        return new SessionRate(sessionRate, System::nanoTime);
    }

    /**
     * Counts a session that opened.
     *
     * @return why it must be closed at once with 1013 (its address holds too many); empty if it may stay
     */
    public Optional<String> opened(Visitor visitor) {
        if (!addresses.opened(visitor.address())) {
            return Optional.of(addresses.tooMany());
        }
        subjects.merge(visitor.getName(), 1, Integer::sum);
        return Optional.empty();
    }

    /** Counts the end of a session whose {@link #opened} let it stay. */
    public void closed(Visitor visitor) {
        addresses.closed(visitor.address());
        subjects.computeIfPresent(visitor.getName(), (name, count) -> count == 1 ? null : count - 1);
    }

    /** Open sessions per token subject ({@code anonymous} for sessions without one), the most first. */
    public Map<String, Integer> subjects() {
        Map<String, Integer> top = new LinkedHashMap<>();
        subjects.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(SUBJECTS_SHOWN)
                .forEach(entry -> top.put(entry.getKey(), entry.getValue()));
        return top;
    }
}
