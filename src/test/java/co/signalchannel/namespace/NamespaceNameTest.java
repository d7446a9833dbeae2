package co.signalchannel.namespace;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class NamespaceNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"default", "salle à manger", "a.b", ".a", "a.", "..a", "a..", "...a", " ", "a%2Fb", "a;b",
            "!~*'()", "😀", "\u00A0", "\u2028"})
    void allowsAnyStringOutsideTheRule(String name) {
        assertThat(NamespaceName.problem(name)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "...", "...."})
    void refusesNamesMadeOnlyOfDots(String name) {
        assertThat(NamespaceName.problem(name)).hasValueSatisfying(problem -> assertThat(problem).contains("only dots"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "/", "a\\b", "\\", "../a", "a/.."})
    void refusesPathSeparators(String name) {
        assertThat(NamespaceName.problem(name)).hasValueSatisfying(problem -> assertThat(problem).contains("\"/\" or \"\\\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "\u0001", "a\tb", "a\nb", "\u001F", "\u007F", "a\u0085", "\u009F"})
    void refusesControlCharacters(String name) {
        assertThat(NamespaceName.problem(name)).hasValueSatisfying(problem -> assertThat(problem).contains("control characters"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b"})
    void namesTheControlCharacterItFound(String name) {
        assertThat(NamespaceName.problem(name)).hasValueSatisfying(problem -> assertThat(problem).endsWith("it has U+0000"));
    }
}
