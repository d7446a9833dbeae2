package co.signalchannel.relay;

import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.json.JsonTextReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayHeaderTest {

    static final JsonTextReader JSON = new JsonTextReader(64);

    @Test
    void readsTheTwoTokensAndIgnoresOtherFields() throws Exception {
        RelayHeader header = RelayHeader.parse("{\"local\":\"a b\",\"remote\":\"ü\",\"extra\":1}", JSON);
        assertThat(header).isEqualTo(new RelayHeader("a b", "ü"));
        assertThat(header.mirror()).isEqualTo(new RelayHeader("ü", "a b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nope", "[]", "\"a\"", "{\"local\":\"a\"}", "{\"remote\":\"a\"}",
            "{\"local\":null,\"remote\":\"b\"}", "{\"local\":\"a\",\"remote\":2}", "{\"local\":\"\",\"remote\":\"b\"}",
            "{\"local\":\"a\",\"remote\":\"b\"} trailing"})
    void malformedHeadersAreRefusedWith1007(String text) {
        assertThatThrownBy(() -> RelayHeader.parse(text, JSON))
                .isInstanceOf(ProtocolViolation.class)
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1007))
                .hasMessageStartingWith("relay header");
    }

    @Test
    void tokensLongerThan256CharactersAreRefused() {
        String tooLong = "t".repeat(257);
        assertThatThrownBy(() -> RelayHeader.parse("{\"local\":\"" + tooLong + "\",\"remote\":\"b\"}", JSON))
                .hasMessageContaining("257 characters");
    }

    @Test
    void aHeaderThatIsItsOwnMirrorIsRefusedWith1008() {
        assertThatThrownBy(() -> RelayHeader.parse("{\"local\":\"same\",\"remote\":\"same\"}", JSON))
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1008));
    }

    @Test
    void aHeaderNestedDeeperThanTheLimitIsRefusedWith1007NamingIt() {
        // Was: Parsson's own depth limit threw a RuntimeException, closing with 1011.
        String deep = "[".repeat(2_000) + "]".repeat(2_000);
        assertThatThrownBy(() -> RelayHeader.parse("{\"local\":\"a\",\"remote\":\"b\",\"x\":" + deep + "}", JSON))
                .isInstanceOf(ProtocolViolation.class)
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1007))
                .hasMessageStartingWith("relay header")
                .hasMessageContaining("64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e9999999999", "-0", "123456789012345678901234567890e-5"})
    void numbersInIgnoredFieldsAreIgnoredWhateverTheirSize(String number) throws Exception {
        // Was: Parsson's BigDecimal conversion threw NumberFormatException, closing with 1011.
        assertThat(RelayHeader.parse("{\"local\":\"a\",\"remote\":\"b\",\"x\":[" + number + "]}", JSON))
                .isEqualTo(new RelayHeader("a", "b"));
    }
}
