package co.signalchannel.access;

/**
 * A token bucket: holds up to {@code burst} tokens, refilled at {@code perSecond}; taking more
 * than it holds fails and takes nothing. Not thread-safe: each holder serialises its own use.
 *
 * <p>It counts in billionths of a token, so one nanosecond adds exactly {@code perSecond} of
 * them and refills add up to the same however time is sliced (floating point lost a token now and
 * then: seven refills of a seventh of a second made 6.999… tokens). A burst above
 * {@value #MAX_BURST} tokens, beyond what a {@code long} counts in billionths, is taken as that.
 */
final class TokenBucket {

    private static final long SCALE = 1_000_000_000L;
    static final long MAX_BURST = Long.MAX_VALUE / SCALE;

    private final long perSecond;
    private final long burst;
    private final long capacity;
    private long billionths;
    private long refilledAt;

    TokenBucket(long perSecond, long burst, long nowNanos) {
        if (perSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("a token bucket needs a positive rate and burst");
        }
        this.perSecond = perSecond;
        this.burst = Math.min(burst, MAX_BURST);
        this.capacity = this.burst * SCALE;
        this.billionths = capacity;
        this.refilledAt = nowNanos;
    }

    /** Takes {@code amount} tokens if the bucket holds them at {@code nowNanos}. */
    boolean take(long amount, long nowNanos) {
        refill(nowNanos);
        if (amount > burst || billionths < amount * SCALE) {
            return false;
        }
        billionths -= amount * SCALE;
        return true;
    }

    /** Whether the bucket is full again at {@code nowNanos}: it then remembers nothing worth keeping. */
    boolean isFull(long nowNanos) {
        refill(nowNanos);
        return billionths == capacity;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - refilledAt;
        if (elapsed > 0) {
            long missing = capacity - billionths;
            // Compared by division: elapsed * perSecond can overflow once the bucket would be full anyway.
            billionths = elapsed > missing / perSecond ? capacity : billionths + elapsed * perSecond;
            refilledAt = nowNanos;
        }
    }
}
