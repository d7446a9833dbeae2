package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static co.signalchannel.scuttlebutt.Fixtures.json;
import static co.signalchannel.scuttlebutt.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.signalchannel.testing.Racing;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Models sharing one server-wide {@link ByteBudget}: the total they count, and what it refuses. */
class ExpiryModelBudgetTest {

    /** What a record of a one-letter key, a one-letter source and {@code value} is estimated at. */
    static long size(String value) {
        return ExpiryModel.RECORD_OVERHEAD + 2 + json(value).toString().length();
    }

    static final JsonProvider JSON = JsonProvider.provider();
    static final String HUNDRED = "\"" + "x".repeat(98) + "\"";

    final FakeClock clock = new FakeClock(NOW);
    final ExpiryModel.Limits limits = ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofMinutes(10));

    @Test
    void theBudgetCountsWhatEveryModelRetainsAsItGrowsShrinksAndExpires() {
        ByteBudget budget = new ByteBudget(1_000_000);
        ExpiryModel a = new ExpiryModel(limits, clock, budget);
        ExpiryModel b = new ExpiryModel(limits, clock, budget);

        a.apply(write("k", HUNDRED, 100, "A"));
        b.apply(write("k", "1", 100, "B"));
        b.apply(write("j", "{\"x\":1}", 200, "B"));
        assertThat(budget.used()).isEqualTo(a.retainedBytes() + b.retainedBytes()).isPositive();

        a.apply(write("k", "2", 300, "A"));
        b.apply(write("k", "null", 300, "B"));
        assertThat(budget.used()).isEqualTo(a.retainedBytes() + b.retainedBytes());

        clock.advance(Duration.ofMinutes(10).plusMillis(250));
        b.purgeExpired();
        assertThat(budget.used()).as("b's older records expired").isEqualTo(a.retainedBytes() + b.retainedBytes());
        clock.advance(Duration.ofMinutes(1));
        a.purgeExpired();
        b.purgeExpired();
        assertThat(budget.used()).isZero();
    }

    @Test
    void anUpdateTheBudgetHasNoRoomForIsRefusedAndChangesNothing() {
        ByteBudget budget = new ByteBudget(2 * size(HUNDRED) + 10);
        ExpiryModel filler = new ExpiryModel(limits, clock, budget);
        ExpiryModel writer = new ExpiryModel(limits, clock, budget);
        filler.apply(write("f", HUNDRED, 100, "F"));
        writer.apply(write("w", HUNDRED, 100, "W"));
        JsonObject before = writer.toJson();
        long used = budget.used();

        assertThatThrownBy(() -> writer.apply(write("v", HUNDRED, 200, "W")))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessageContaining(String.valueOf(budget.max()));
        assertThat(writer.toJson()).isEqualTo(before);
        assertThat(writer.clock()).containsEntry("W", NOW + 100d);
        assertThat(budget.used()).isEqualTo(used).isEqualTo(filler.retainedBytes() + writer.retainedBytes());
    }

    @Test
    void aFullBudgetStillTakesWritesThatDoNotGrowTheModel() {
        ByteBudget budget = new ByteBudget(size(HUNDRED));
        ExpiryModel model = new ExpiryModel(limits, clock, budget);
        model.apply(write("k", HUNDRED, 100, "S"));

        assertThat(model.apply(write("k", HUNDRED.replace('x', 'y'), 200, "S"))).isTrue();
        assertThat(model.apply(write("k", "null", 300, "S"))).as("a delete shrinks it").isTrue();
        assertThat(budget.used()).isEqualTo(model.retainedBytes()).isEqualTo(size("null"));
    }

    @Test
    void aModelAtItsOwnLimitEvictsItsOwnOldKeysRatherThanTakeFromAFullBudget() {
        ExpiryModel.Limits small = limits.withMaxRetainedBytes(2 * size(HUNDRED));
        ByteBudget budget = new ByteBudget(2 * size(HUNDRED));
        ExpiryModel model = new ExpiryModel(small, clock, budget);
        model.apply(write("a", HUNDRED, 100, "S"));
        model.apply(write("b", HUNDRED, 200, "S"));

        assertThat(model.apply(write("c", HUNDRED, 300, "S"))).isTrue();
        assertThat(model.toJson().keySet()).containsExactly("b", "c");
        assertThat(budget.used()).isEqualTo(model.retainedBytes());
    }

    @Test
    void clearingAModelGivesAllItsBytesBack() {
        ByteBudget budget = new ByteBudget(1_000_000);
        ExpiryModel kept = new ExpiryModel(limits, clock, budget);
        ExpiryModel dropped = new ExpiryModel(limits, clock, budget);
        kept.apply(write("k", "1", 100, "S"));
        dropped.apply(write("k", HUNDRED, 100, "S"));
        dropped.apply(write("j", "null", 100, "S"));

        dropped.clear();

        assertThat(dropped.isEmpty()).isTrue();
        assertThat(budget.used()).isEqualTo(kept.retainedBytes());
    }

    @Test
    void modelsGrowingShrinkingAndRefusedOnManyThreadsAtOnceLeaveTheTotalExact() throws Exception {
        int threads = 4;
        ByteBudget budget = new ByteBudget(40 * size(HUNDRED));
        List<ExpiryModel> models = new ArrayList<>();
        List<FakeClock> clocks = new ArrayList<>();
        for (int i = 0; i < threads * 3; i++) {
            FakeClock own = new FakeClock(NOW); // a fake clock is not thread-safe: one per thread's models
            clocks.add(own);
            models.add(new ExpiryModel(limits.withMaxRetainedBytes(12 * size(HUNDRED)), own, budget));
        }
        AtomicInteger refused = new AtomicInteger();
        AtomicLong overBudget = new AtomicLong();
        Racing.race(threads, thread -> {
            Random random = new Random(thread);
            for (int i = 0; i < 20_000; i++) {
                int index = thread * 3 + random.nextInt(3);
                ExpiryModel model = models.get(index);
                FakeClock own = clocks.get(index);
                own.advance(Duration.ofMillis(random.nextInt(100)));
                JsonValue value = switch (random.nextInt(4)) {
                    case 0 -> JsonValue.NULL;
                    case 1 -> JSON.createObjectBuilder().add("f" + random.nextInt(8), i).build();
                    default -> JSON.createValue("v".repeat(random.nextInt(300)));
                };
                try {
                    model.apply(new Update("k" + random.nextInt(30), value, own.millis(), "s" + thread));
                } catch (BudgetExceededException full) {
                    refused.incrementAndGet();
                }
                if (budget.used() > budget.max()) {
                    overBudget.set(budget.used());
                }
            }
        });
        assertThat(overBudget).as("the total never went over the budget").hasValue(0);
        assertThat(refused).as("the race pushed against the budget").hasPositiveValue();
        assertThat(budget.used()).isEqualTo(models.stream().mapToLong(ExpiryModel::retainedBytes).sum());
    }
}
