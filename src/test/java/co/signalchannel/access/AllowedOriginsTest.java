package co.signalchannel.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllowedOriginsTest {

    final AllowedOrigins own = AllowedOrigins.parse("", false);

    static Optional<String> check(AllowedOrigins origins, String origin, String host) {
        return origins.refusal(List.of(origin), host);
    }

    @ParameterizedTest
    @CsvSource({
            "http://example.org:8080,   example.org:8080",
            "https://example.org:8443,  example.org:8443",
            "http://example.org,        example.org",
            "http://example.org:80,     example.org",
            "https://example.org,       example.org",
            "https://example.org:443,   example.org",
            "https://example.org,       example.org:443",
            "HTTPS://Example.ORG,       example.org",
            "https://example.org,       EXAMPLE.org",
            "http://[::1]:8080,         [::1]:8080",
            "http://127.0.0.1:8080,     127.0.0.1:8080",
            "'  https://example.org  ', example.org"})
    void byDefaultPagesFromTheServersOwnHostAndPortAreAdmitted(String origin, String host) {
        assertThat(check(own, origin, host)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "http://example.org:8081,   example.org:8080",
            "http://example.org,        example.org:8080",
            "http://example.org:8080,   example.org",
            "https://example.org,       example.org:80",
            "http://example.org,        example.org:443",
            "https://evil.example,      example.org",
            "https://example.org.evil.example, example.org",
            "https://sub.example.org,   example.org",
            "http://[::2]:8080,         [::1]:8080",
            "http://[::1]:8081,         [::1]:8080",
            "http://localhost:8080,     127.0.0.1:8080"})
    void byDefaultPagesFromAnyOtherHostOrPortAreRefused(String origin, String host) {
        assertThat(check(own, origin, host)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("may not open sessions").contains("signalchannel.allowed-origins"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "example.org:abc", "[::1", "exa mple.org"})
    void byDefaultAHandshakeWithoutAUsableHostIsRefused(String host) {
        assertThat(check(own, "http://example.org", host)).isPresent();
        assertThat(own.refusal(List.of("http://example.org"), null)).isPresent();
    }

    @Test
    void listedOriginsAreAdmittedAndNoOthersNotEvenTheServersOwn() {
        AllowedOrigins listed = AllowedOrigins.parse(" https://app.example.org , http://localhost:3000,", false);
        assertThat(check(listed, "https://app.example.org", "signal.example.org")).isEmpty();
        assertThat(check(listed, "https://APP.example.org:443", "signal.example.org")).isEmpty();
        assertThat(check(listed, "http://localhost:3000", "signal.example.org")).isEmpty();
        assertThat(check(listed, "http://localhost:3001", "signal.example.org")).isPresent();
        assertThat(check(listed, "http://app.example.org", "signal.example.org")).isPresent();
        assertThat(check(listed, "https://signal.example.org", "signal.example.org")).isPresent();
    }

    @Test
    void aListedOriginWithoutItsDefaultPortMatchesOneWithIt() {
        AllowedOrigins listed = AllowedOrigins.parse("https://app.example.org:443,http://intranet:80", false);
        assertThat(check(listed, "https://app.example.org", "x")).isEmpty();
        assertThat(check(listed, "http://intranet", "x")).isEmpty();
    }

    @Test
    void aStarAdmitsEveryOriginEvenGarbage() {
        AllowedOrigins any = AllowedOrigins.parse("*", false);
        assertThat(check(any, "https://evil.example", "example.org")).isEmpty();
        assertThat(check(any, "null", "example.org")).isEmpty();
        assertThat(check(any, "not an origin", null)).isEmpty();
    }

    @Test
    void aMissingOriginIsRefusedUnlessAdmittedEvenWithAStar() {
        assertThat(own.refusal(List.of(), "example.org")).hasValueSatisfying(reason -> assertThat(reason)
                .contains("no Origin header").contains("signalchannel.allow-no-origin"));
        assertThat(AllowedOrigins.parse("*", false).refusal(List.of(), "example.org")).isPresent();
        assertThat(AllowedOrigins.parse("", true).refusal(List.of(), "example.org")).isEmpty();
        assertThat(AllowedOrigins.parse("https://app.example.org", true).refusal(List.of(), null)).isEmpty();
    }

    @Test
    void admittingAMissingOriginAdmitsNoWrongOne() {
        AllowedOrigins lenient = AllowedOrigins.parse("", true);
        assertThat(check(lenient, "https://evil.example", "example.org")).isPresent();
        assertThat(check(lenient, "null", "example.org")).isPresent();
    }

    @Test
    void twoOriginHeadersAreRefusedEvenIfBothAreAllowed() {
        AllowedOrigins any = AllowedOrigins.parse("*", true);
        assertThat(any.refusal(List.of("https://example.org", "https://example.org"), "example.org"))
                .hasValueSatisfying(reason -> assertThat(reason).contains("one Origin header, not 2"));
        assertThat(own.refusal(List.of("https://example.org", "https://evil.example"), "example.org")).isPresent();
    }

    @Test
    void theNullOriginOfSandboxedAndFilePagesIsRefused() {
        assertThat(check(own, "null", "null")).isPresent();
        assertThat(check(AllowedOrigins.parse("https://app.example.org", false), "null", "app.example.org")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.org", "//example.org", "https://", "https://user@example.org",
            "https://example.org/path", "https://example.org?q", "https://example.org#f", "ftp://example.org",
            "file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "https://exa mple.org",
            "https://example.org:abc", "https://[::1", "chrome-extension://abcdef"})
    void garbageOriginsAreRefused(String origin) {
        assertThat(check(own, origin, "example.org")).isPresent();
        assertThat(AllowedOrigins.normalised(origin)).isEmpty();
    }

    @Test
    void theRefusalQuotesTheOriginWithoutControlCharactersAndCutShort() {
        String reason = check(own, "https://evil.example\r\nSet-Cookie: x" + "a".repeat(500), "example.org").orElseThrow();
        assertThat(reason).doesNotContain("\r").doesNotContain("\n").contains("\"https://evil.example??Set-Cookie")
                .hasSizeLessThan(300);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.org", "https://example.org/app", "null",
            "ftp://example.org", "https://user@example.org", "http://", "*.example.org", "https://*.example.org"})
    void aListEntryThatIsNotAnOriginThrowsNamingIt(String entry) {
        assertThatThrownBy(() -> AllowedOrigins.parse("https://ok.example," + entry, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + entry + "\"");
    }

    @Test
    void aListEntryWithATrailingSlashIsTakenForItsOrigin() {
        assertThat(check(AllowedOrigins.parse("https://app.example.org/", false), "https://app.example.org", "x")).isEmpty();
    }
}
