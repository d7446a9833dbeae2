package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Memory stays bounded under a long, hostile stream of updates. */
class ExpiryModelMemoryTest {

    private static final int UPDATES = 200_000;

    private final FakeClock clock = new FakeClock(NOW);
    private final ExpiryModel.Limits limits = new ExpiryModel.Limits(Duration.ofMinutes(10), 50, 40, 8, 80 * 1024);
    private final ExpiryModel model = new ExpiryModel(limits, clock);
    private final Random random = new Random(42);
    private final JsonProvider json = JsonProvider.provider();
    private int peakLiveKeys;
    private int peakTombstones;
    private long peakBytes;

    @Test
    void aLongStreamOfNewKeysFieldsSourcesAndDeletesStaysWithinTheBounds() {
        ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
        List<String> sent = new ArrayList<>();
        ReplicationStream stream = new ReplicationStream("server", model, codec, sent::add);
        stream.receive(List.of(new Digest("peer", Map.of())));

        for (int i = 0; i < UPDATES; i++) {
            clock.advance(Duration.ofMillis(random.nextInt(20)));
            Update update = hostileUpdate(i);
            if (model.apply(update)) {
                stream.forward(update);
            }
            sent.clear();
            if (i % 1000 == 0) {
                assertWithinBounds(stream);
            }
        }
        assertWithinBounds(stream);
        // Staying under a bound proves nothing unless the stream pushed against it.
        assertThat(peakLiveKeys).isEqualTo(limits.maxKeys());
        assertThat(peakTombstones).isEqualTo(limits.maxTombstones());
        assertThat(peakBytes).isGreaterThan(limits.maxRetainedBytes() * 9 / 10);
    }

    /**
     * Mostly fresh keys, fresh field names and fresh sources (each a new replica id), with
     * deletes, and timestamps from slightly in the future to beyond maxAge.
     */
    private Update hostileUpdate(int i) {
        String key = random.nextInt(4) == 0 ? "shared" + random.nextInt(10) : "key" + i;
        String source = random.nextInt(10) == 0 ? "steady" : "source" + i;
        double ts = clock.millis() + random.nextInt(1000) - random.nextInt(15 * 60 * 1000) + random.nextInt(1000) / 1000.0;
        JsonValue value;
        int kind = random.nextInt(4);
        if (kind == 0) {
            value = JsonValue.NULL;
        } else if (kind == 1) {
            value = json.createValue("x".repeat(random.nextInt(2000)));
        } else {
            JsonObjectBuilder patch = json.createObjectBuilder();
            for (int field = random.nextInt(4); field >= 0; field--) {
                patch.add("field" + random.nextInt(1_000_000), i);
            }
            value = patch.build();
        }
        return new Update(key, value, ts, source);
    }

    private void assertWithinBounds(ReplicationStream stream) {
        int records = model.retainedRecords();
        int sources = model.clock().size();
        int maxRecords = limits.maxKeys() * (limits.maxFieldsPerKey() + 2) + limits.maxTombstones();
        peakLiveKeys = Math.max(peakLiveKeys, model.liveKeys());
        peakTombstones = Math.max(peakTombstones, model.tombstones());
        peakBytes = Math.max(peakBytes, model.retainedBytes());
        assertThat(model.liveKeys()).isLessThanOrEqualTo(limits.maxKeys());
        assertThat(model.tombstones()).isLessThanOrEqualTo(limits.maxTombstones());
        assertThat(records).isLessThanOrEqualTo(maxRecords);
        assertThat(model.retainedBytes()).isLessThanOrEqualTo(limits.maxRetainedBytes());
        assertThat(sources).isLessThanOrEqualTo(records);
        assertThat(stream.peerClockSize()).isLessThanOrEqualTo(Math.max(1024, 2 * maxRecords) + 1);
    }
}
