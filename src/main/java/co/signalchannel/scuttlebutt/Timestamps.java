package co.signalchannel.scuttlebutt;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Writes timestamps the way a JavaScript peer does, so they survive a round trip unchanged. */
final class Timestamps {

    /** Beyond 2^53 a double no longer holds every integer, so the fast path stops there. */
    private static final double MAX_SAFE_INTEGER = 9007199254740991d;
    /** {@code JSON.stringify} switches to exponent notation from 1e21 on. */
    private static final BigDecimal EXPONENT_THRESHOLD = new BigDecimal("1e21");
    /** Seventeen significant digits always identify a double. */
    private static final int MAX_DIGITS = 17;

    private Timestamps() {
    }

    /**
     * The shortest decimal that reads back as exactly {@code ts}, written without an exponent
     * ({@code 1700000000000}, {@code 1389028939485.001}) — what {@code JSON.stringify} writes.
     * {@link Double#toString} is no substitute: it writes {@code 1.7E12}, and before Java 19 it
     * sometimes writes more digits than needed.
     */
    static BigDecimal toJsonNumber(double ts) {
        if (ts == Math.rint(ts) && Math.abs(ts) <= MAX_SAFE_INTEGER) {
            return BigDecimal.valueOf((long) ts);
        }
        BigDecimal exact = new BigDecimal(ts);
        for (int digits = 1; digits < MAX_DIGITS; digits++) {
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == ts) {
                return withoutExponent(candidate);
            }
        }
        return withoutExponent(exact.round(new MathContext(MAX_DIGITS, RoundingMode.HALF_EVEN)));
    }

    private static BigDecimal withoutExponent(BigDecimal number) {
        BigDecimal stripped = number.stripTrailingZeros();
        boolean integral = stripped.scale() < 0;
        return integral && stripped.abs().compareTo(EXPONENT_THRESHOLD) < 0 ? stripped.setScale(0) : stripped;
    }
}
