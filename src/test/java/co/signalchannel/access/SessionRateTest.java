package co.signalchannel.access;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class SessionRateTest {

    static final long SECOND = 1_000_000_000L;

    final AtomicLong nanos = new AtomicLong(123_456_789_000L);
    final SessionRate rate = new SessionRate(new SessionRate.Limits(10, 20, 1_000, 5_000), nanos::get);

    @Test
    void aBurstOfMessagesGoesThroughThenTheNextIsRefusedNamingTheMessageLimit() {
        for (int i = 0; i < 20; i++) {
            assertThat(rate.exceededBy(1)).as("message %d", i).isEmpty();
        }
        assertThat(rate.exceededBy(1)).hasValue("rate limit: more than 10 messages per second (burst 20)");
    }

    @Test
    void messagesFlowAgainAtTheRateAsTimePasses() {
        for (int i = 0; i < 20; i++) {
            rate.exceededBy(1);
        }
        assertThat(rate.exceededBy(1)).isPresent();
        nanos.addAndGet(SECOND / 10);
        assertThat(rate.exceededBy(1)).isEmpty();
        assertThat(rate.exceededBy(1)).isPresent();
        nanos.addAndGet(SECOND);
        for (int i = 0; i < 10; i++) {
            assertThat(rate.exceededBy(1)).as("message %d a second later", i).isEmpty();
        }
        assertThat(rate.exceededBy(1)).isPresent();
    }

    @Test
    void aSteadyRateAtTheLimitIsNeverRefused() {
        for (int i = 0; i < 1_000; i++) {
            nanos.addAndGet(SECOND / 10);
            assertThat(rate.exceededBy(100)).as("message %d", i).isEmpty();
        }
    }

    @Test
    void bytesBeyondTheirBurstAreRefusedNamingTheByteLimit() {
        assertThat(rate.exceededBy(4_000)).isEmpty();
        assertThat(rate.exceededBy(1_000)).isEmpty();
        assertThat(rate.exceededBy(1)).hasValue("rate limit: more than 1000 bytes per second (burst 5000)");
    }

    @Test
    void bytesRefillAtTheirRate() {
        assertThat(rate.exceededBy(5_000)).isEmpty();
        nanos.addAndGet(SECOND / 2);
        assertThat(rate.exceededBy(501)).isPresent();
        nanos.addAndGet(SECOND / 2);
        assertThat(rate.exceededBy(1_000)).isEmpty();
    }

    @Test
    void oneMessageLargerThanTheByteBurstIsRefusedEvenFromAFullBucket() {
        assertThat(rate.exceededBy(5_001)).hasValueSatisfying(reason -> assertThat(reason).contains("bytes per second"));
    }

    @Test
    void emptyMessagesCountOnlyAgainstTheMessageLimit() {
        assertThat(rate.exceededBy(5_000)).isEmpty();
        for (int i = 0; i < 19; i++) {
            assertThat(rate.exceededBy(0)).isEmpty();
        }
        assertThat(rate.exceededBy(0)).hasValueSatisfying(reason -> assertThat(reason).contains("messages per second"));
    }

    @Test
    void twoSessionsHaveTheirOwnBuckets() {
        SessionRate other = new SessionRate(new SessionRate.Limits(10, 20, 1_000, 5_000), nanos::get);
        for (int i = 0; i < 20; i++) {
            rate.exceededBy(1);
        }
        assertThat(rate.exceededBy(1)).isPresent();
        assertThat(other.exceededBy(1)).isEmpty();
    }
}
