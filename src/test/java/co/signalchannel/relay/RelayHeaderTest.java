package co.signalchannel.relay;

import co.signalchannel.connection.ProtocolViolation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayHeaderTest {

    @Test
    void readsTheTwoTokensAndIgnoresOtherFields() throws Exception {
        RelayHeader header = RelayHeader.parse("{\"local\":\"a b\",\"remote\":\"ü\",\"extra\":1}");
        assertThat(header).isEqualTo(new RelayHeader("a b", "ü"));
        assertThat(header.mirror()).isEqualTo(new RelayHeader("ü", "a b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nope", "[]", "\"a\"", "{\"local\":\"a\"}", "{\"remote\":\"a\"}",
            "{\"local\":null,\"remote\":\"b\"}", "{\"local\":\"a\",\"remote\":2}", "{\"local\":\"\",\"remote\":\"b\"}",
            "{\"local\":\"a\",\"remote\":\"b\"} trailing"})
    void malformedHeadersAreRefusedWith1007(String text) {
        assertThatThrownBy(() -> RelayHeader.parse(text))
                .isInstanceOf(ProtocolViolation.class)
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1007))
                .hasMessageStartingWith("relay header");
    }

    @Test
    void tokensLongerThan256CharactersAreRefused() {
        String tooLong = "t".repeat(257);
        assertThatThrownBy(() -> RelayHeader.parse("{\"local\":\"" + tooLong + "\",\"remote\":\"b\"}"))
                .hasMessageContaining("257 characters");
    }

    @Test
    void aHeaderThatIsItsOwnMirrorIsRefusedWith1008() {
        assertThatThrownBy(() -> RelayHeader.parse("{\"local\":\"same\",\"remote\":\"same\"}"))
                .satisfies(e -> assertThat(((ProtocolViolation) e).closure().code()).isEqualTo(1008));
    }
}
