package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static co.signalchannel.scuttlebutt.Fixtures.decoded;
import static co.signalchannel.scuttlebutt.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EncodedHistoryTest {

    private final FakeClock clock = new FakeClock(NOW);
    private final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    private final ExpiryModel model = new ExpiryModel(ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofMinutes(1)), clock);
    private final EncodedHistory history = new EncodedHistory(model, codec);

    @Test
    void theWholeHistoryIsEveryRecordOldestFirstThenSync() {
        Update a = write("a", "1", 100, "A");
        Update b = write("b", "{\"x\":2}", 200, "B");
        model.apply(b);
        model.apply(a);

        assertThat(history.whole()).containsExactly(message(a, b));
    }

    @Test
    void anEmptyModelsHistoryIsJustSync() {
        assertThat(history.whole()).containsExactly(ScuttlebuttCodec.SYNC_LINE);
    }

    @Test
    void joinersInARowShareOneEncodingWhileTheModelIsUnchanged() {
        model.apply(write("a", "1", 100, "A"));

        List<String> first = history.whole();

        assertThat(history.whole()).isSameAs(first);
        assertThat(model.apply(write("a", "1", 100, "A"))).as("a repeat changes nothing").isFalse();
        assertThat(history.whole()).isSameAs(first);
    }

    @Test
    void anAcceptedUpdateIsInTheNextJoinersHistory() {
        model.apply(write("a", "1", 100, "A"));
        List<String> before = history.whole();
        Update newer = write("a", "2", 200, "A");

        model.apply(newer);

        assertThat(history.whole()).isNotSameAs(before)
                .containsExactly(message(newer));
    }

    @Test
    void anExpiredRecordLeavesTheNextJoinersHistory() {
        Update old = write("old", "1", 0, "A");
        Update fresh = write("fresh", "2", 30_000, "A");
        model.apply(old);
        model.apply(fresh);
        assertThat(history.whole()).containsExactly(message(old, fresh));

        clock.advance(Duration.ofSeconds(70)); // old is 70 s old, fresh 40 s

        assertThat(history.whole()).containsExactly(message(fresh));
    }

    @Test
    void aPeerThatHasSomethingGetsWhatItLacksNotTheSharedWhole() {
        Update a1 = write("a", "1", 100, "A");
        Update b2 = write("b", "2", 200, "B");
        model.apply(a1);
        model.apply(b2);
        List<String> sent = new ArrayList<>();
        ReplicationStream stream = new ReplicationStream("server", model, codec, history, sent::add);

        stream.receive(List.of(new Digest("peer", Map.of("A", NOW + 100d))));

        assertThat(sent).containsExactly(message(b2));
    }

    @Test
    void aPeerSentTheSharedWholeIsKnownToHaveItSoOnlyNewerUpdatesFollow() {
        model.apply(write("a", "1", 100, "A"));
        model.apply(write("b", "2", 200, "B"));
        List<String> sent = new ArrayList<>();
        ReplicationStream stream = new ReplicationStream("server", model, codec, history, sent::add);
        history.whole(); // encoded for an earlier joiner

        stream.receive(List.of(new Digest("peer", Map.of())));
        Update older = write("c", "3", 150, "B"); // B's clock is at 200 once the whole was sent
        Update newer = write("c", "4", 300, "A");
        stream.forward(older);
        stream.forward(newer);

        assertThat(sent).containsExactly(history.whole().get(0), codec.encode(newer));
    }

    @Test
    void numbersGoToAJoinerAsTheyWereWritten() {
        String line = "[[\"k\",{\"n\":[-0,1E+400,9007199254740993]}],1.7000000001e12,\"A\"]\n";
        model.apply(decoded(line));

        assertThat(history.whole()).containsExactly(line + ScuttlebuttCodec.SYNC_LINE);
    }

    /** One history message: {@code records}' lines, then "SYNC". */
    private String message(Update... records) {
        StringBuilder message = new StringBuilder();
        for (Update record : records) {
            message.append(codec.encode(record));
        }
        return message.append(ScuttlebuttCodec.SYNC_LINE).toString();
    }
}
