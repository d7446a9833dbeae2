package co.signalchannel.access;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class GrantTest {

    static Grant granting(Map<String, List<String>> namespaces) {
        return new Grant(Optional.of("alice"), Instant.EPOCH, Optional.of(namespaces));
    }

    @ParameterizedTest
    @CsvSource(value = {
            "*            | ''            | true",
            "*            | anything      | true",
            "**           | anything      | true",
            "room-*       | room-1        | true",
            "room-*       | room-         | true",
            "room-*       | room          | false",
            "room-*       | my-room-1     | false",
            "room-*       | Room-1        | false",
            "*-x-*        | a-x-b         | true",
            "*-x-*        | -x-           | true",
            "*-x-*        | a-x-b-x-c     | true",
            "*-x-*        | a-y-b         | false",
            "*-x-*        | a-x           | false",
            "*.lobby      | a.b.lobby     | true",
            "*.lobby      | lobby         | false",
            "a*b*c        | abc           | true",
            "a*b*c        | aXbYc         | true",
            "a*b*c        | aXcYb         | false",
            "a*b*c        | abcX          | false",
            "lobby        | lobby         | true",
            "lobby        | lobby2        | false",
            "lobby        | lobb          | false",
            "lobby        | ''            | false",
            "''           | ''            | true",
            "''           | a             | false",
            "?            | a             | false",
            "?            | ?             | true",
            "room.[0-9]   | room.1        | false",
            "room.[0-9]   | room.[0-9]    | true",
            "*ab          | aab           | true",
            "*aab         | aaab          | true",
            "*a*a*a*a*b   | aaaab         | true",
            "*a*a*a*a*b   | aaab          | false"}, delimiter = '|')
    void aPatternMatchesWithStarAsItsOnlyWildcard(String pattern, String namespace, boolean matches) {
        assertThat(Grant.matches(pattern, namespace)).isEqualTo(matches);
    }

    @Test
    @Timeout(2)
    void pathologicalPatternsOnLongNamesFinishFast() {
        String as = "a".repeat(100_000);
        assertThat(Grant.matches("*a*a*a*a*a*a*a*a*a*b", as)).isFalse();
        assertThat(Grant.matches("*a*a*a*a*b", as + "b")).isTrue();
        assertThat(Grant.matches("a*".repeat(200) + "b", as)).isFalse();
        assertThat(Grant.matches("*".repeat(10_000) + "b", as)).isFalse();
    }

    @Property(tries = 2_000)
    void matchingAgreesWithTheEquivalentRegularExpression(@ForAll("patterns") String pattern, @ForAll("names") String name) {
        Pattern regex = Pattern.compile(pattern.chars()
                .mapToObj(c -> c == '*' ? ".*" : Pattern.quote(Character.toString(c)))
                .collect(Collectors.joining()), Pattern.DOTALL);
        assertThat(Grant.matches(pattern, name)).isEqualTo(regex.matcher(name).matches());
    }

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.strings().withChars("ab*-.").ofMaxLength(8);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("ab-.").ofMaxLength(12);
    }

    @Test
    void withoutANamespacesClaimEveryNamespaceOfEveryEndpointIsGranted() {
        Grant all = new Grant(Optional.empty(), Instant.EPOCH, Optional.empty());
        assertThat(all.allows("echo", "x")).isTrue();
        assertThat(all.allows("relay", "")).isTrue();
        assertThat(all.allows("anything", "y")).isTrue();
    }

    @Test
    void anEndpointMissingFromTheClaimIsGrantedNothing() {
        Grant grant = granting(Map.of("echo", List.of("room-*"), "relay", List.of("*")));
        assertThat(grant.allows("echo", "room-1")).isTrue();
        assertThat(grant.allows("echo", "lobby")).isFalse();
        assertThat(grant.allows("relay", "anything")).isTrue();
        assertThat(grant.allows("scuttlebutt", "room-1")).isFalse();
        assertThat(granting(Map.of()).allows("echo", "room-1")).as("an empty claim grants nothing").isFalse();
        assertThat(granting(Map.of("echo", List.of())).allows("echo", "room-1")).isFalse();
    }

    @Test
    void anyOfAnEndpointsPatternsGrants() {
        Grant grant = granting(Map.of("scuttlebutt", List.of("team-a", "doc-*")));
        assertThat(grant.allows("scuttlebutt", "team-a")).isTrue();
        assertThat(grant.allows("scuttlebutt", "doc-42")).isTrue();
        assertThat(grant.allows("scuttlebutt", "team-b")).isFalse();
    }

    @Test
    void endpointNamesAreMatchedExactly() {
        Grant grant = granting(Map.of("echo", List.of("*")));
        assertThat(grant.allows("Echo", "x")).isFalse();
        assertThat(grant.allows("echo ", "x")).isFalse();
    }
}
