package co.signalchannel.json;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerbatimNumberTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "7", "-12", "0.5", "-0.0", "1e5", "1E+5", "1e-5", "12.50E-003", "9007199254740993"})
    void jsonNumberSyntaxIsRecognised(String text) {
        assertThat(VerbatimNumber.isJsonNumber(text)).isTrue();
        assertThat(VerbatimNumber.of(text)).hasToString(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+1", "01", "-01", "1.", ".5", "1e", "1e+", "0x1", "NaN", "Infinity", "1 ", " 1", "1f",
            "1.5.5", "1e5e5", "--1"})
    void otherTextIsNot(String text) {
        assertThat(VerbatimNumber.isJsonNumber(text)).isFalse();
        assertThatThrownBy(() -> VerbatimNumber.of(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"10, true", "1e1, false", "10.0, false", "1.5e1, true", "15e-1, false", "0, true", "-0.0, false"})
    void integralIsScaleZeroAsJsonPSays(String text, boolean integral) {
        assertThat(VerbatimNumber.of(text).isIntegral()).isEqualTo(integral);
        assertThat(VerbatimNumber.of(text).isIntegral()).isEqualTo(new BigDecimal(text).scale() == 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-7", "123456789012", "1.9", "-1.9", "12345e-2", "1e3", "0.001", "-9223372036854775808"})
    void numericViewsAreBigDecimals(String text) {
        VerbatimNumber number = VerbatimNumber.of(text);
        BigDecimal exact = new BigDecimal(text);

        assertThat(number.bigDecimalValue()).isEqualTo(exact);
        assertThat(number.doubleValue()).isEqualTo(exact.doubleValue());
        assertThat(number.longValue()).isEqualTo(exact.longValue());
        assertThat(number.intValue()).isEqualTo(exact.intValue());
        assertThat(number.bigIntegerValue()).isEqualTo(exact.toBigInteger());
    }

    @Test
    @Timeout(5)
    void extremeExponentsCostNothingToConvert() {
        VerbatimNumber huge = VerbatimNumber.of("1e999999999");
        VerbatimNumber tiny = VerbatimNumber.of("-1e-999999999");
        VerbatimNumber beyond = VerbatimNumber.of("1e9999999999");

        assertThat(huge.doubleValue()).isInfinite();
        assertThat(huge.longValue()).isZero(); // the low 64 bits of a multiple of 10^64
        assertThat(tiny.longValue()).isZero();
        assertThat(tiny.bigIntegerValue()).isEqualTo(BigInteger.ZERO);
        assertThat(beyond.intValue()).isZero();
        assertThat(beyond.isIntegral()).isFalse();
        assertThatThrownBy(huge::bigIntegerValue).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(huge::longValueExact).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(tiny::bigIntegerValueExact).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(beyond::bigDecimalValue).isInstanceOf(NumberFormatException.class);
        assertThat(VerbatimNumber.of("0e999999999").longValueExact()).isZero();
    }

    @Test
    void equalAsJsonPSaysToNumbersOfTheSameValueAndToItsOwnText() {
        assertThat(VerbatimNumber.of("-0")).isEqualTo(Json.createValue(0)).hasSameHashCodeAs(Json.createValue(0));
        assertThat(VerbatimNumber.of("1.5")).isEqualTo(Json.createValue(new BigDecimal("1.5")));
        assertThat(VerbatimNumber.of("1.50")).isNotEqualTo(VerbatimNumber.of("1.5"));
        assertThat(VerbatimNumber.of("1e9999999999")).isEqualTo(VerbatimNumber.of("1e9999999999"))
                .hasSameHashCodeAs(VerbatimNumber.of("1e9999999999"))
                .isNotEqualTo(VerbatimNumber.of("2e9999999999"));
    }
}
