package co.signalchannel.json;

import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTextReaderTest {

    final JsonTextReader json = new JsonTextReader(3);

    @Test
    void readsOneValueKeepingNumbersAsWritten() throws Exception {
        JsonValue value = json.read(" {\"a\":[-0,1E+400,\"s\",true,null],\"b\":{\"c\":9007199254740993}} ");

        assertThat(value.asJsonObject().getJsonArray("a").get(0)).isInstanceOf(VerbatimNumber.class);
        assertThat(value.toString()).isEqualTo("{\"a\":[-0,1E+400,\"s\",true,null],\"b\":{\"c\":9007199254740993}}");
    }

    @Test
    void nestingUpToTheLimitIsRead() throws Exception {
        assertThat(json.read("[{\"a\":[]}]").toString()).isEqualTo("[{\"a\":[]}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[[[[]]]]", "{\"a\":{\"b\":{\"c\":{}}}}", "[[[[1]]]"})
    void nestingBeyondTheLimitIsRefusedNamingIt(String text) {
        assertThatThrownBy(() -> json.read(text))
                .isInstanceOfSatisfying(JsonTooDeepException.class, e -> assertThat(e.limit()).isEqualTo(3))
                .hasMessage("JSON nests arrays and objects more than 3 deep, the limit");
    }

    @Test
    void nestingFarBeyondAnyParsersOwnLimitIsRefusedTheSameWayAndCostsNoStack() {
        String deep = "[".repeat(200_000);

        assertThatThrownBy(() -> new JsonTextReader(100_000).read(deep + "]".repeat(200_000)))
                .isInstanceOf(InvalidJsonException.class);
        assertThatThrownBy(() -> json.read(deep)).isInstanceOf(JsonTooDeepException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "nope", "{\"a\":}", "[1,]", "01", "1.", "-", "\"open", "{\"a\" 1}"})
    void whatIsNotJsonIsRefusedAsSuch(String text) {
        assertThatThrownBy(() -> json.read(text))
                .isExactlyInstanceOf(InvalidJsonException.class)
                .hasMessageStartingWith("not JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} {}", "1 2", "[] x"})
    void textAfterTheValueIsRefused(String text) {
        assertThatThrownBy(() -> json.read(text)).hasMessageStartingWith("not JSON");
    }

    @Test
    void theColumnOfASyntaxErrorIsNamed() {
        assertThatThrownBy(() -> json.read("[1,2,x]")).hasMessage("not JSON at column 6");
    }
}
