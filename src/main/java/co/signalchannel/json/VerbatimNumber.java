package co.signalchannel.json;

import jakarta.json.JsonNumber;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A JSON number that keeps the text it was written as: {@link #toString()} is that text, so
 * {@code -0}, {@code 1e400} and {@code 9007199254740993} go back out as they came in, where JSON-P
 * would write {@code 0}, {@code 1E+400}, or whatever a double holds.
 *
 * <p>Numeric views are worked out from the text when asked for, and never cost more than the text
 * is long: {@link #doubleValue()} reads it as {@link Double#parseDouble} does (beyond a double's
 * range, infinite); the whole-number views take the low-order bits of numbers far beyond a
 * {@code long} without expanding them, and {@link #bigIntegerValue()} refuses, with an
 * {@link ArithmeticException}, to expand one of more than {@value #MAX_EXPANDED_DIGITS} digits.
 * {@link #bigDecimalValue()} throws {@link NumberFormatException} for an exponent beyond
 * {@code int} range, which JSON allows and {@link BigDecimal} cannot hold. Equal, as JSON-P says,
 * to any JSON number of equal {@link BigDecimal} value, and to any number of the same text.
 */
public final class VerbatimNumber implements JsonNumber {

    /** The most digits a whole-number view expands a number to; Parsson's default bound. */
    static final int MAX_EXPANDED_DIGITS = 100_000;
    /** Exponents are read up to this magnitude; beyond it every view is decided by the sign alone. */
    private static final long EXPONENT_CAP = 1L << 40;

    private final String text;

    /** {@code text} must be valid JSON number syntax, as a JSON parser delivered it. */
    VerbatimNumber(String text) {
        this.text = text;
    }

    /**
     * The number written as {@code text}.
     *
     * @throws IllegalArgumentException when {@code text} is not a JSON number
     */
    public static VerbatimNumber of(String text) {
        if (!isJsonNumber(text)) {
            throw new IllegalArgumentException("not a JSON number: " + text);
        }
        return new VerbatimNumber(text);
    }

    /** Whether {@code text} is one JSON number: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    public static boolean isJsonNumber(CharSequence text) {
        int i = 0;
        int n = text.length();
        if (i < n && text.charAt(i) == '-') {
            i++;
        }
        if (i < n && text.charAt(i) == '0') {
            i++;
        } else {
            int start = i;
            i = digits(text, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && text.charAt(i) == '.') {
            int start = ++i;
            i = digits(text, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            i = digits(text, i);
            if (i == start) {
                return false;
            }
        }
        return i == n;
    }

    private static int digits(CharSequence text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    @Override
    public ValueType getValueType() {
        return ValueType.NUMBER;
    }

    /** Whether {@link #bigDecimalValue()} has scale 0, JSON-P's definition: {@code 10} and {@code 1.5e1}, not {@code 10.0} or {@code 1e1}. */
    @Override
    public boolean isIntegral() {
        return scale() == 0;
    }

    @Override
    public int intValue() {
        return (int) longValue();
    }

    @Override
    public int intValueExact() {
        return Math.toIntExact(longValueExact());
    }

    @Override
    public long longValue() {
        if (isZero() || scale() <= -64 || scale() >= significantDigits()) {
            // zero; a multiple of 10^64, so of 2^64; or less than one in magnitude
            return 0;
        }
        return bigDecimalValue().longValue();
    }

    @Override
    public long longValueExact() {
        return bigIntegerValueExact().longValueExact();
    }

    @Override
    public BigInteger bigIntegerValue() {
        if (isZero() || scale() >= significantDigits()) {
            return BigInteger.ZERO;
        }
        requireExpandable();
        return bigDecimalValue().toBigInteger();
    }

    @Override
    public BigInteger bigIntegerValueExact() {
        if (isZero()) {
            return BigInteger.ZERO;
        }
        if (scale() >= significantDigits()) {
            throw new ArithmeticException(text + " has a fractional part");
        }
        requireExpandable();
        return bigDecimalValue().toBigIntegerExact();
    }

    @Override
    public double doubleValue() {
        return Double.parseDouble(text);
    }

    /** @throws NumberFormatException when the exponent is beyond what {@link BigDecimal} holds */
    @Override
    public BigDecimal bigDecimalValue() {
        return new BigDecimal(text);
    }

    @Override
    public Number numberValue() {
        return bigDecimalValue();
    }

    /** The text the number was written as. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        if (other instanceof VerbatimNumber verbatim && text.equals(verbatim.text)) {
            return true;
        }
        if (!(other instanceof JsonNumber number)) {
            return false;
        }
        try {
            return bigDecimalValue().equals(number.bigDecimalValue());
        } catch (NumberFormatException beyondBigDecimal) {
            return false;
        }
    }

    @Override
    public int hashCode() {
        try {
            return bigDecimalValue().hashCode();
        } catch (NumberFormatException beyondBigDecimal) {
            return text.hashCode();
        }
    }

    private void requireExpandable() {
        if (-scale() + significantDigits() > MAX_EXPANDED_DIGITS) {
            throw new ArithmeticException("a number of more than " + MAX_EXPANDED_DIGITS
                    + " digits is not expanded to a whole number: " + text.substring(0, Math.min(text.length(), 32)));
        }
    }

    private boolean isZero() {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 'e' || c == 'E') {
                break;
            }
            if (c >= '1' && c <= '9') {
                return false;
            }
        }
        return true;
    }

    /** Digits of the mantissa from its first non-zero one; only meaningful when not {@link #isZero()}. */
    private int significantDigits() {
        int count = 0;
        boolean started = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 'e' || c == 'E') {
                break;
            }
            if (c >= '0' && c <= '9') {
                started |= c != '0';
                if (started) {
                    count++;
                }
            }
        }
        return count;
    }

    /** {@link BigDecimal#scale()} of the number: fraction digits less the exponent, the exponent capped. */
    private long scale() {
        int dot = text.indexOf('.');
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        int end = e < 0 ? text.length() : e;
        long fractionDigits = dot < 0 ? 0 : end - dot - 1;
        long exponent = 0;
        if (e >= 0) {
            int i = e + 1;
            boolean negative = text.charAt(i) == '-';
            if (text.charAt(i) == '-' || text.charAt(i) == '+') {
                i++;
            }
            for (; i < text.length() && exponent < EXPONENT_CAP; i++) {
                exponent = exponent * 10 + (text.charAt(i) - '0');
            }
            exponent = negative ? -exponent : exponent;
        }
        return fractionDigits - exponent;
    }
}
