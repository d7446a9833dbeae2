package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import co.signalchannel.connection.Connection;
import co.signalchannel.testing.FakeTransport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * A flood of namespaces from one client cannot make the server hold much more heap than the
 * scuttlebutt byte budget says, whatever the shape of the values: the models' estimate follows the
 * heap their records take.
 */
class ScuttlebuttStoreMemoryTest {

    static final long BUDGET = 8L << 20;
    static final int UPDATES_PER_NAMESPACE = 40;

    final FakeClock clock = new FakeClock(NOW);
    final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    @Test
    void theHeapAfterAFloodOfNamespacesStaysWithinTwiceTheBudget() throws Exception {
        ScuttlebuttStore store = new ScuttlebuttStore(new ScuttlebuttStore.Bounds(256, 10_000, 100_000, BUDGET),
                ExpiryModel.Limits.DEFAULTS.withMaxAge(Duration.ofHours(1)), codec, clock, Integer.MAX_VALUE);
        long before = heapAfterFullGc();
        long flooded = 0;
        for (int namespace = 0; flooded < 4 * BUDGET; namespace++) {
            Connection client = new Connection("flood", new FakeTransport(true),
                    new Connection.Limits(1 << 20, 10_000, 1L << 30), Runnable::run, clock::millis);
            ScuttlebuttNamespace joined = store.join("flood-" + namespace, client);
            StringBuilder message = new StringBuilder("{\"id\":\"flood\",\"clock\":{}}\n\"SYNC\"\n");
            for (int update = 0; update < UPDATES_PER_NAMESPACE; update++) {
                message.append("[[\"k").append(update).append("\",").append(value(namespace, update)).append("],")
                        .append(NOW + update).append(",\"flood\"]\n");
            }
            var values = codec.decode(message.toString());
            for (ProtocolValue value : values) {
                if (value instanceof Update written) {
                    flooded += ExpiryModel.estimatedSize(written);
                }
            }
            store.receive(joined, client, values);
            client.ended();
            clock.advance(Duration.ofMillis(10));
        }
        long after = heapAfterFullGc();

        assertThat(store.budget().used()).isLessThanOrEqualTo(BUDGET).isGreaterThan(BUDGET / 2);
        assertThat(after - before).as("heap held after a flood of %d bytes", flooded).isLessThan(2 * BUDGET);
        Reference.reachabilityFence(store);
    }

    /** Values of the shapes that cost the most heap for their text, and a plain one. */
    static String value(int namespace, int update) {
        return switch (update % 4) {
            case 0 -> "\"" + "x".repeat(1_000) + "\"";
            case 1 -> "{\"id\":\"peer-" + namespace + "\",\"t\":" + update + ",\"name\":\"someone\"}";
            case 2 -> "[" + "1,".repeat(199) + "0]";
            default -> String.valueOf(update);
        };
    }

    private long heapAfterFullGc() {
        for (int i = 0; i < 3; i++) {
            System.gc(); // a full collection on the JVM's default collector
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
