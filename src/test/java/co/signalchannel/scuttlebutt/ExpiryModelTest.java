package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static co.signalchannel.scuttlebutt.Fixtures.decoded;
import static co.signalchannel.scuttlebutt.Fixtures.json;
import static co.signalchannel.scuttlebutt.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ExpiryModelTest {

    private final FakeClock clock = new FakeClock(NOW);
    private ExpiryModel model = new ExpiryModel(ExpiryModel.Limits.DEFAULTS, clock);

    private void limit(ExpiryModel.Limits limits) {
        model = new ExpiryModel(limits, clock);
    }

    @Test
    void newerTimestampReplacesTheValue() {
        assertThat(model.apply(write("k", "1", 100, "A"))).isTrue();
        assertThat(model.apply(write("k", "2", 200, "B"))).isTrue();

        assertThat(model.get("k")).contains(json("2"));
    }

    @Test
    void olderTimestampArrivingLateIsRefused() {
        model.apply(write("k", "2", 200, "B"));

        assertThat(model.apply(write("k", "1", 100, "A"))).isFalse();
        assertThat(model.get("k")).contains(json("2"));
        assertThat(model.history(Map.of())).extracting(Update::source).containsExactly("B");
    }

    @Test
    void equalTimestampsAreOrderedBySourceWhateverTheArrivalOrder() {
        Update fromA = write("k", "\"a\"", 100, "A");
        Update fromB = write("k", "\"b\"", 100, "B");
        ExpiryModel other = new ExpiryModel(ExpiryModel.Limits.DEFAULTS, clock);

        model.apply(fromA);
        model.apply(fromB);
        other.apply(fromB);
        assertThat(other.apply(fromA)).isFalse();

        assertThat(model.get("k")).contains(json("\"b\""));
        assertThat(other.toJson()).isEqualTo(model.toJson());
    }

    @Test
    void theSameUpdateTwiceIsAcceptedOnce() {
        Update update = write("k", "1", 100, "A");

        assertThat(model.apply(update)).isTrue();
        assertThat(model.apply(update)).isFalse();
    }

    @Test
    void aSecondValueWithTheSameTimestampAndSourceIsTakenForTheSameUpdate() {
        model.apply(write("k", "1", 100, "A"));

        assertThat(model.apply(write("k", "2", 100, "A"))).isFalse();
        assertThat(model.get("k")).contains(json("1"));
    }

    @Test
    void objectsMergeFieldByFieldEachFieldKeepingItsNewestWrite() {
        model.apply(write("k", "{\"a\":1,\"b\":1}", 100, "A"));
        model.apply(write("k", "{\"b\":2,\"c\":2}", 200, "B"));

        assertThat(model.get("k")).contains(json("{\"a\":1,\"b\":2,\"c\":2}"));
    }

    @Test
    void anOlderPatchArrivingLateFillsOnlyFieldsWithoutANewerWrite() {
        model.apply(write("k", "{\"b\":2,\"c\":2}", 200, "B"));

        assertThat(model.apply(write("k", "{\"a\":1,\"b\":1}", 100, "A"))).isTrue();
        assertThat(model.get("k")).contains(json("{\"a\":1,\"b\":2,\"c\":2}"));
    }

    @Test
    void aPatchWhoseEveryFieldHasANewerWriteIsRefusedAndNotKept() {
        model.apply(write("k", "{\"a\":2}", 200, "B"));

        assertThat(model.apply(write("k", "{\"a\":1}", 100, "A"))).isFalse();
        assertThat(model.history(Map.of())).extracting(Update::source).containsExactly("B");
    }

    @Test
    void aPatchOverwrittenLaterStopsBeingSentAndItsSourceLeavesTheClock() {
        model.apply(write("k", "{\"a\":1}", 100, "A"));
        model.apply(write("k", "{\"a\":2}", 200, "B"));

        assertThat(model.history(Map.of())).extracting(Update::source).containsExactly("B");
        assertThat(model.clock()).containsOnlyKeys("B");
    }

    @Test
    void aNonObjectWriteResetsTheKeyAndLaterObjectsStartAfresh() {
        model.apply(write("k", "{\"a\":1}", 100, "A"));
        model.apply(write("k", "\"x\"", 150, "B"));
        model.apply(write("k", "{\"b\":2}", 200, "C"));

        assertThat(model.get("k")).contains(json("{\"b\":2}"));
    }

    @Test
    void aLateResetBetweenTwoPatchesDropsOnlyTheOlderOne() {
        model.apply(write("k", "{\"a\":1}", 100, "A"));
        model.apply(write("k", "{\"b\":2}", 200, "C"));

        assertThat(model.apply(write("k", "[1,2]", 150, "B"))).isTrue();
        assertThat(model.get("k")).contains(json("{\"b\":2}"));
        assertThat(model.history(Map.of())).extracting(Update::source).containsExactly("B", "C");
    }

    @Test
    void theResetBeforeAnObjectIsKeptSoAnOlderPatchArrivingLaterStaysIrrelevant() {
        model.apply(write("k", "\"x\"", 150, "B"));
        model.apply(write("k", "{\"b\":2}", 200, "C"));

        assertThat(model.apply(write("k", "{\"a\":1}", 100, "A"))).isFalse();
        assertThat(model.get("k")).contains(json("{\"b\":2}"));
        assertThat(model.history(Map.of())).extracting(Update::source).containsExactly("B", "C");
    }

    @Test
    void anEmptyObjectTurnsAValueIntoAnEmptyObject() {
        model.apply(write("k", "\"x\"", 100, "A"));
        model.apply(write("k", "{}", 200, "B"));

        assertThat(model.get("k")).contains(json("{}"));
    }

    @Test
    void anEmptyObjectIsDroppedOnceANewerPatchCarriesTheObject() {
        model.apply(write("k", "{}", 100, "A"));
        model.apply(write("k", "{\"a\":1}", 200, "B"));

        assertThat(model.history(Map.of())).extracting(Update::source).containsExactly("B");
    }

    @Test
    void aNullFieldIsAValueNotADeletion() {
        model.apply(write("k", "{\"a\":1,\"b\":1}", 100, "A"));
        model.apply(write("k", "{\"a\":null}", 200, "B"));

        assertThat(model.get("k")).contains(json("{\"a\":null,\"b\":1}"));
    }

    @Test
    void aPatchThatWouldExceedTheFieldLimitIsRefused() {
        limit(ExpiryModel.Limits.DEFAULTS.withMaxFieldsPerKey(2));
        model.apply(write("k", "{\"a\":1,\"b\":1}", 100, "A"));

        assertThat(model.apply(write("k", "{\"c\":1}", 200, "A"))).isFalse();
        assertThat(model.apply(write("k", "{\"a\":2}", 300, "A"))).isTrue();
        assertThat(model.get("k")).contains(json("{\"a\":2,\"b\":1}"));
    }

    @Test
    void nullDeletesTheKeyAndLeavesATombstone() {
        model.apply(write("k", "1", 100, "A"));
        model.apply(write("k", "null", 200, "A"));

        assertThat(model.get("k")).isEmpty();
        assertThat(model.toJson()).isEmpty();
        assertThat(model.liveKeys()).isZero();
        assertThat(model.tombstones()).isOne();
        assertThat(model.isEmpty()).isFalse();
    }

    @Test
    void theTombstoneKeepsAnOlderUpdateArrivingLateFromResurrectingTheKey() {
        model.apply(write("k", "null", 200, "B"));

        assertThat(model.apply(write("k", "{\"a\":1}", 100, "A"))).isFalse();
        assertThat(model.get("k")).isEmpty();
    }

    @Test
    void aNewerWriteBringsADeletedKeyBack() {
        model.apply(write("k", "null", 200, "B"));

        assertThat(model.apply(write("k", "3", 300, "A"))).isTrue();
        assertThat(model.get("k")).contains(json("3"));
    }

    @Test
    void theTombstoneIsSentInHistory() {
        model.apply(write("k", "1", 100, "A"));
        model.apply(write("k", "null", 200, "B"));

        assertThat(model.history(Map.of())).containsExactly(write("k", "null", 200, "B"));
    }

    @Test
    void theTombstoneExpiresAfterMaxAgeAndTheModelBecomesEmpty() {
        model.apply(write("k", "null", 0, "A"));

        clock.advance(Duration.ofDays(1).plusMillis(1));

        assertThat(model.tombstones()).isZero();
        assertThat(model.isEmpty()).isTrue();
        assertThat(model.clock()).isEmpty();
    }

    @Test
    void beyondMaxTombstonesTheOldestIsForgottenAndOlderWritesAreRefusedFromThenOn() {
        limit(ExpiryModel.Limits.DEFAULTS.withMaxTombstones(2));
        model.apply(write("x", "null", 100, "A"));
        model.apply(write("y", "null", 200, "A"));
        model.apply(write("z", "null", 300, "A"));

        assertThat(model.tombstones()).isEqualTo(2);
        assertThat(model.history(Map.of())).extracting(Update::key).containsExactly("y", "z");
        assertThat(model.apply(write("x", "\"resurrected\"", 50, "B"))).isFalse();
        assertThat(model.apply(write("x", "\"new\"", 400, "B"))).isTrue();
    }

    @Test
    void recordsOlderThanMaxAgeArePurgedAndNeverSentAgain() {
        model.apply(write("old", "1", 0, "A"));
        model.apply(write("young", "2", 10_000, "B"));

        clock.advance(Duration.ofDays(1).plusMillis(1));

        assertThat(model.get("old")).isEmpty();
        assertThat(model.toJson()).isEqualTo(json("{\"young\":2}"));
        assertThat(model.history(Map.of())).extracting(Update::key).containsExactly("young");
        assertThat(model.clock()).containsOnlyKeys("B");
    }

    @Test
    void aRecordExactlyMaxAgeOldIsStillHeld() {
        model.apply(write("k", "1", 0, "A"));

        clock.advance(Duration.ofDays(1));

        assertThat(model.get("k")).contains(json("1"));
    }

    @Test
    void anUpdateAlreadyOlderThanMaxAgeIsRefused() {
        assertThat(model.apply(write("k", "1", -Duration.ofDays(1).toMillis() - 1, "A"))).isFalse();
        assertThat(model.isEmpty()).isTrue();
    }

    @Test
    void maxAgeIsConfigurable() {
        limit(ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofSeconds(30)));
        model.apply(write("k", "1", 0, "A"));

        clock.advance(Duration.ofSeconds(31));

        assertThat(model.isEmpty()).isTrue();
    }

    @Test
    void fieldsOfAMergedObjectExpireWithTheWriteThatSetThem() {
        model.apply(write("k", "{\"a\":1}", 0, "A"));
        model.apply(write("k", "{\"b\":2}", 60_000, "B"));

        clock.advance(Duration.ofDays(1).plusSeconds(1));

        assertThat(model.get("k")).contains(json("{\"b\":2}"));
    }

    @Test
    void anExpiredResetLeavesTheObjectAfterIt() {
        model.apply(write("k", "\"x\"", 0, "A"));
        model.apply(write("k", "{\"b\":2}", 60_000, "B"));

        clock.advance(Duration.ofDays(1).plusSeconds(1));

        assertThat(model.get("k")).contains(json("{\"b\":2}"));
        assertThat(model.clock()).containsOnlyKeys("B");
    }

    @Test
    void beyondMaxKeysTheLeastRecentlyUpdatedKeyIsEvicted() {
        limit(ExpiryModel.Limits.DEFAULTS.withMaxKeys(3));
        model.apply(write("a", "1", 100, "S"));
        model.apply(write("b", "1", 200, "S"));
        model.apply(write("c", "1", 300, "S"));
        model.apply(write("a", "2", 400, "S"));

        assertThat(model.apply(write("d", "1", 500, "S"))).isTrue();

        assertThat(model.toJson().keySet()).containsExactly("a", "c", "d");
        assertThat(model.history(Map.of())).extracting(Update::key).doesNotContain("b");
    }

    @Test
    void anEvictedRecordSentAgainIsRefused() {
        limit(ExpiryModel.Limits.DEFAULTS.withMaxKeys(1));
        Update evicted = write("a", "1", 100, "S");
        model.apply(evicted);
        model.apply(write("b", "1", 200, "T"));
        model.apply(write("b", "null", 300, "T"));

        assertThat(model.apply(evicted)).isFalse();
        assertThat(model.history(Map.of())).doesNotContain(evicted);
    }

    @Test
    void aNewKeyOlderThanEveryLiveKeyIsRefusedAtCapacity() {
        limit(ExpiryModel.Limits.DEFAULTS.withMaxKeys(2));
        model.apply(write("a", "1", 200, "S"));
        model.apply(write("b", "1", 300, "S"));

        assertThat(model.apply(write("c", "1", 100, "T"))).isFalse();
        assertThat(model.toJson().keySet()).containsExactly("a", "b");
        assertThat(model.clock()).containsOnlyKeys("S");
    }

    @Test
    void tombstonesDoNotCountAsLiveKeys() {
        limit(ExpiryModel.Limits.DEFAULTS.withMaxKeys(1));
        model.apply(write("a", "null", 100, "S"));

        assertThat(model.apply(write("b", "1", 200, "S"))).isTrue();
        assertThat(model.tombstones()).isOne();
        assertThat(model.liveKeys()).isOne();
    }

    @Test
    void beyondTheByteBudgetTheLeastRecentlyUpdatedKeysAreEvicted() {
        String big = "\"" + "x".repeat(1000) + "\"";
        limit(ExpiryModel.Limits.DEFAULTS.withMaxRetainedBytes(2 * (ExpiryModel.RECORD_OVERHEAD + 1010)));
        model.apply(write("a", big, 100, "S"));
        model.apply(write("b", big, 200, "S"));
        model.apply(write("c", big, 300, "S"));

        assertThat(model.toJson().keySet()).containsExactly("b", "c");
        assertThat(model.retainedBytes()).isLessThanOrEqualTo(model.limits().maxRetainedBytes());
    }

    @Test
    void theClockHoldsTheNewestTimestampOfEachSource() {
        model.apply(write("a", "1", 100, "A"));
        model.apply(write("b", "1", 300, "A"));
        model.apply(write("c", "1", 200, "B"));

        assertThat(model.clock()).isEqualTo(Map.of("A", NOW + 300d, "B", NOW + 200d));
    }

    @Test
    void aSourceLeavesTheClockOnceNoRecordOfItRemains() {
        model.apply(write("k", "1", 100, "A"));
        model.apply(write("k", "2", 200, "B"));

        assertThat(model.clock()).containsOnlyKeys("B");
    }

    @Test
    void historyIsOldestFirstAndHoldsOnlyWhatThePeerLacks() {
        Update a1 = write("a", "1", 100, "A");
        Update b2 = write("b", "1", 200, "B");
        Update a3 = write("c", "1", 300, "A");
        model.apply(a3);
        model.apply(b2);
        model.apply(a1);

        assertThat(model.history(Map.of())).containsExactly(a1, b2, a3);
        assertThat(model.history(Map.of("A", NOW + 100d))).containsExactly(b2, a3);
        assertThat(model.history(Map.of("A", NOW + 300d, "B", NOW + 200d))).isEmpty();
        assertThat(model.history(Map.of("A", NOW + 300d, "C", NOW + 999d))).containsExactly(b2);
    }

    @Test
    void historyOrdersEqualTimestampsBySource() {
        Update fromB = write("a", "1", 100, "B");
        Update fromA = write("b", "1", 100, "A");
        model.apply(fromB);
        model.apply(fromA);

        assertThat(model.history(Map.of())).containsExactly(fromA, fromB);
    }

    @Test
    void historyReproducesTheState() {
        List<Update> updates = List.of(
                write("k", "{\"a\":1,\"b\":1}", 100, "A"),
                write("k", "\"reset\"", 150, "B"),
                write("k", "{\"b\":2}", 200, "C"),
                write("k", "{\"c\":3}", 300, "A"),
                write("gone", "1", 100, "B"),
                write("gone", "null", 400, "C"));
        updates.forEach(model::apply);
        ExpiryModel copy = new ExpiryModel(ExpiryModel.Limits.DEFAULTS, clock);

        model.history(Map.of()).forEach(copy::apply);

        assertThat(copy.toJson()).isEqualTo(model.toJson());
        assertThat(copy.history(Map.of())).isEqualTo(model.history(Map.of()));
    }

    @Test
    void numbersKeepTheirTextInValuesAndInMergedObjects() {
        // Was: -0 came back 0, 1e400 as 1E+400.
        model.apply(decoded("[[\"k\",{\"a\":-0,\"b\":[1e400]}]," + (NOW + 100) + ",\"A\"]"));
        model.apply(decoded("[[\"k\",{\"c\":9007199254740993,\"d\":1.50}]," + (NOW + 200) + ",\"B\"]"));
        model.apply(decoded("[[\"n\",-0.0E-0]," + (NOW + 300) + ",\"B\"]"));

        assertThat(model.get("k")).hasValueSatisfying(value -> assertThat(value.toString())
                .isEqualTo("{\"a\":-0,\"b\":[1e400],\"c\":9007199254740993,\"d\":1.50}"));
        assertThat(model.get("n")).hasValueSatisfying(value -> assertThat(value.toString()).isEqualTo("-0.0E-0"));
    }

    @Test
    void theByteBudgetCountsNumbersAsWritten() {
        model.apply(decoded("[[\"k\",1e400]," + NOW + ",\"A\"]"));

        assertThat(model.retainedBytes()).isEqualTo(ExpiryModel.RECORD_OVERHEAD + "k".length() + "A".length() + "1e400".length());
    }
}
