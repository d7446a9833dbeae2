package co.signalchannel.access;

import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The rate limits of one session: messages per second and bytes per second, each a token bucket
 * with a burst. Called on the session's receiving thread only (a container delivers one session's
 * messages one at a time), so it takes no lock.
 */
public final class SessionRate {

    /** The limits, as the settings give them. */
    public record Limits(long messagesPerSecond, long messagesBurst, long bytesPerSecond, long bytesBurst) {
    }

    private final Limits limits;
    private final LongSupplier nanoClock;
    private final TokenBucket messages;
    private final TokenBucket bytes;

    public SessionRate(Limits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
        long now = nanoClock.getAsLong();
        this.messages = new TokenBucket(limits.messagesPerSecond(), limits.messagesBurst(), now);
        this.bytes = new TokenBucket(limits.bytesPerSecond(), limits.bytesBurst(), now);
    }

    /**
     * Counts one message of {@code size} bytes against both limits.
     *
     * @return the limit it broke, as a close reason; empty if within both
     */
    public Optional<String> exceededBy(long size) {
        long now = nanoClock.getAsLong();
        if (!messages.take(1, now)) {
            return Optional.of("rate limit: more than " + limits.messagesPerSecond() + " messages per second (burst "
                    + limits.messagesBurst() + ")");
        }
        if (!bytes.take(size, now)) {
            return Optional.of("rate limit: more than " + limits.bytesPerSecond() + " bytes per second (burst "
                    + limits.bytesBurst() + ")");
        }
        return Optional.empty();
    }
}
