package co.signalchannel.access;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBucketTest {

    static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketGivesItsBurstAtOnceThenRefuses() {
        TokenBucket bucket = new TokenBucket(10, 5, 0);
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.take(1, 0)).as("take %d", i).isTrue();
        }
        assertThat(bucket.take(1, 0)).isFalse();
    }

    @Test
    void itRefillsAtItsRateAndNoFurtherThanItsBurst() {
        TokenBucket bucket = new TokenBucket(10, 5, 0);
        assertThat(bucket.take(5, 0)).isTrue();
        assertThat(bucket.take(1, SECOND / 10 - 1)).isFalse();
        assertThat(bucket.take(1, SECOND / 10)).isTrue();
        assertThat(bucket.take(1, SECOND / 10)).isFalse();
        assertThat(bucket.take(6, 100 * SECOND)).as("never more than the burst").isFalse();
        assertThat(bucket.take(5, 100 * SECOND)).isTrue();
    }

    @Test
    void aRefusedTakeTakesNothing() {
        TokenBucket bucket = new TokenBucket(1, 10, 0);
        assertThat(bucket.take(7, 0)).isTrue();
        assertThat(bucket.take(4, 0)).isFalse();
        assertThat(bucket.take(3, 0)).isTrue();
    }

    @Test
    void timeGoingBackwardsAddsNothing() {
        TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertThat(bucket.take(1, 10 * SECOND)).isTrue();
        assertThat(bucket.take(1, 5 * SECOND)).isFalse();
        assertThat(bucket.take(1, 10 * SECOND + SECOND / 2)).isFalse();
        assertThat(bucket.take(1, 11 * SECOND)).isTrue();
    }

    @Test
    void itIsFullAgainOnceItsBurstHasRefilled() {
        TokenBucket bucket = new TokenBucket(2, 4, 0);
        assertThat(bucket.isFull(0)).isTrue();
        bucket.take(4, 0);
        assertThat(bucket.isFull(SECOND)).isFalse();
        assertThat(bucket.isFull(2 * SECOND)).isTrue();
    }

    @Test
    void aHugeRateOrBurstNeitherOverflowsNorRefusesForever() {
        TokenBucket bucket = new TokenBucket(Long.MAX_VALUE, Long.MAX_VALUE, 0);
        assertThat(bucket.take(TokenBucket.MAX_BURST, 0)).isTrue();
        assertThat(bucket.take(1, 0)).isFalse();
        assertThat(bucket.take(TokenBucket.MAX_BURST, Long.MAX_VALUE)).isTrue();
        TokenBucket slow = new TokenBucket(1, 8_388_608, 0);
        assertThat(slow.take(8_388_608, 0)).isTrue();
        assertThat(slow.isFull(Long.MAX_VALUE)).as("refilled over the longest time a nano clock spans").isTrue();
    }

    @Test
    void aNanoClockWrappingAroundStillRefills() {
        TokenBucket bucket = new TokenBucket(1, 1, Long.MAX_VALUE - SECOND / 2);
        assertThat(bucket.take(1, Long.MAX_VALUE - SECOND / 2)).isTrue();
        assertThat(bucket.take(1, Long.MAX_VALUE)).isFalse();
        assertThat(bucket.take(1, Long.MIN_VALUE + SECOND / 2)).isTrue();
    }

    @Test
    void aRateOrBurstBelowOneIsRefused() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(-1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 300)
    void anEmptiedBucketGivesItsWholeBurstAgainAfterBurstOverRateSecondsHoweverTheTimeIsSlicedUp(
            @ForAll @LongRange(min = 1, max = 1_000_000) long perSecond, @ForAll @LongRange(min = 1, max = 10_000) long burst,
            @ForAll @IntRange(min = 1, max = 50) int slices) {
        TokenBucket bucket = new TokenBucket(perSecond, burst, 0);
        assertThat(bucket.take(burst, 0)).isTrue();
        long refill = (burst * SECOND + perSecond - 1) / perSecond;
        for (int i = 1; i <= slices; i++) {
            bucket.take(Long.MAX_VALUE, refill * i / slices); // refills, takes nothing
        }
        assertThat(bucket.take(burst, refill)).isTrue();
        assertThat(bucket.take(1, refill)).isFalse();
    }

    @Property(tries = 300)
    void overAnyStretchOfTimeNoMoreThanBurstPlusRateTimesTimeIsTaken(
            @ForAll @LongRange(min = 1, max = 1_000) long perSecond, @ForAll @LongRange(min = 1, max = 100) long burst,
            @ForAll @IntRange(min = 1, max = 5_000) int stepMicros) {
        TokenBucket bucket = new TokenBucket(perSecond, burst, 0);
        assertThat(bucket.take(burst, 0)).isTrue();
        long taken = burst;
        long now = 0;
        for (int i = 0; i < 2_000; i++) {
            now += stepMicros * 1_000L;
            while (bucket.take(1, now)) {
                taken++;
            }
        }
        long allowed = burst + Math.floorDiv(perSecond * now, SECOND);
        assertThat(taken).isLessThanOrEqualTo(allowed);
        boolean neverFull = perSecond * stepMicros <= (burst - 1) * 1_000_000L;
        if (neverFull) {
            assertThat(taken).as("drained every step, the bucket never overflowed: nothing was lost").isGreaterThanOrEqualTo(allowed - 1);
        }
    }
}
