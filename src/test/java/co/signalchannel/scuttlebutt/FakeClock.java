package co.signalchannel.scuttlebutt;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when told to. */
final class FakeClock implements InstantSource {

    private Instant now;

    FakeClock(long epochMillis) {
        this.now = Instant.ofEpochMilli(epochMillis);
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration duration) {
        now = now.plus(duration);
    }
}
