package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Twins of the npm {@code Model} — plain last writer wins, its own stream rules — replicating
 * through the server reach the server's state, whatever the delivery order and however often
 * they lose their connection. Values are scalars and deletes, where npm's model and ours agree.
 */
class ScuttlebuttTwinPropertiesTest {

    private static final JsonProvider JSON = JsonProvider.provider();

    @Property(tries = 300)
    void npmModelsReplicatingThroughTheServerConverge(
            @ForAll("writes") List<Tuple.Tuple3<Integer, String, JsonValue>> writes, @ForAll Random random) {
        FakeClock clock = new FakeClock(NOW);
        Network network = new Network(clock);
        Network.Replica server = network.replica("server");
        List<ScuttlebuttTwin> twins = List.of(
                new ScuttlebuttTwin("a", clock::millis), new ScuttlebuttTwin("b", clock::millis), new ScuttlebuttTwin("c", clock::millis));
        List<Network.Link> links = new ArrayList<>(twins.stream().map(twin -> network.connect(twin, server)).toList());

        for (Tuple.Tuple3<Integer, String, JsonValue> write : writes) {
            // npm breaks timestamp ties by arrival order, not by source, so none are made here.
            clock.advance(Duration.ofMillis(1));
            int writer = write.get1();
            links.get(writer).fromClient(twins.get(writer).set(write.get2(), write.get3()));
            for (int deliveries = random.nextInt(5); deliveries > 0; deliveries--) {
                network.deliverOne(random);
            }
            if (random.nextInt(8) == 0) {
                int reconnecting = random.nextInt(twins.size());
                links.get(reconnecting).close();
                links.set(reconnecting, network.connect(twins.get(reconnecting), server));
            }
        }
        network.settle();

        for (ScuttlebuttTwin twin : twins) {
            assertThat(twin.toJson()).isEqualTo(server.model.toJson());
            assertThat(twin.synced()).isTrue();
        }
    }

    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, String, JsonValue>>> writes() {
        Arbitrary<JsonValue> values = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(JsonValue.NULL)),
                Tuple.of(3, Arbitraries.integers().between(0, 99).map(JSON::createValue)),
                Tuple.of(1, Arbitraries.strings().alpha().ofMaxLength(3).map(JSON::createValue)));
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.of("k1", "k2", "k3", "k4"), values)
                .as(Tuple::of)
                .list().ofMaxSize(40);
    }
}
