package co.signalchannel.access;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The per-address limits of one node: new sessions per second (a token bucket with a burst) and
 * sessions open at once. An address is remembered while it holds sessions or its bucket is not
 * yet full again; {@link #forgetIdle()} drops the rest, so a scan from many addresses costs memory
 * only for as long as it could matter.
 */
public final class AddressLimits {

    /** The limits, as the settings give them. */
    public record Limits(long sessionsPerSecond, long sessionsBurst, int maxSessions) {
    }

    /** One address's bucket and open sessions; its monitor guards both. */
    private static final class Address {
        final TokenBucket handshakes;
        int open;

        Address(Limits limits, long now) {
            handshakes = new TokenBucket(limits.sessionsPerSecond(), limits.sessionsBurst(), now);
        }
    }

    private final Limits limits;
    private final LongSupplier nanoClock;
    private final Map<String, Address> addresses = new ConcurrentHashMap<>();

    public AddressLimits(Limits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
    }

    /**
     * Counts a handshake from {@code address} against its rate and checks its open sessions.
     *
     * @return why it must be refused, as the body of a 429; empty if it may go on
     */
    public Optional<String> handshake(String address) {
        long now = nanoClock.getAsLong();
        while (true) {
            Address state = addresses.computeIfAbsent(address, key -> new Address(limits, now));
            synchronized (state) {
                if (addresses.get(address) != state) {
                    continue; // forgotten meanwhile: a take from it would be lost
                }
                if (state.open >= limits.maxSessions()) {
                    return Optional.of(tooMany());
                }
                if (!state.handshakes.take(1, now)) {
                    return Optional.of("Too many new sessions from " + address + ": the limit is "
                            + limits.sessionsPerSecond() + " per second (burst " + limits.sessionsBurst()
                            + "); try again later.");
                }
                return Optional.empty();
            }
        }
    }

    /**
     * Counts a session opened from {@code address}. Handshakes in flight together can each pass
     * {@link #handshake} before any opens, so this is where the cap is exact.
     *
     * @return false if the address already held its limit: the session must be closed, and not counted
     */
    public boolean opened(String address) {
        long now = nanoClock.getAsLong();
        while (true) {
            Address state = addresses.computeIfAbsent(address, key -> new Address(limits, now));
            synchronized (state) {
                if (addresses.get(address) != state) {
                    continue; // forgotten meanwhile: count on the one now in the map
                }
                if (state.open >= limits.maxSessions()) {
                    return false;
                }
                state.open++;
                return true;
            }
        }
    }

    /** Counts the end of a session {@link #opened} from {@code address}. */
    public void closed(String address) {
        Address state = addresses.get(address);
        if (state != null) {
            synchronized (state) {
                state.open--;
            }
        }
    }

    /** The reason a session over the open-sessions cap is refused with. */
    public String tooMany() {
        return "too many sessions open from one address: the limit is " + limits.maxSessions() + "; try again later";
    }

    /** Drops the addresses that hold no session and whose bucket is full: they would behave as new. */
    public void forgetIdle() {
        long now = nanoClock.getAsLong();
        addresses.forEach((address, state) -> {
            synchronized (state) {
                if (state.open == 0 && state.handshakes.isFull(now)) {
                    addresses.remove(address, state);
                }
            }
        });
    }

    /** Addresses remembered now; for tests and stats. */
    public int remembered() {
        return addresses.size();
    }
}
