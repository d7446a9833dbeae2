package co.signalchannel.access;

/**
 * A token bucket: holds up to {@code burst} tokens, refilled at {@code perSecond}; taking more
 * than it holds fails and takes nothing. Not thread-safe: each holder serialises its own use.
 */
final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1e9;

    private final double perNano;
    private final double burst;
    private double tokens;
    private long refilledAt;

    TokenBucket(long perSecond, long burst, long nowNanos) {
        if (perSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("a token bucket needs a positive rate and burst");
        }
        this.perNano = perSecond / NANOS_PER_SECOND;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = nowNanos;
    }

    /** Takes {@code amount} tokens if the bucket holds them at {@code nowNanos}. */
    boolean take(long amount, long nowNanos) {
        refill(nowNanos);
        if (tokens < amount) {
            return false;
        }
        tokens -= amount;
        return true;
    }

    /** Whether the bucket is full again at {@code nowNanos}: it then remembers nothing worth keeping. */
    boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= burst;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            refilledAt = nowNanos;
        }
    }
}
