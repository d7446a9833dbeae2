package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The model's central claim: its state is a function of the set of updates seen, not of their
 * arrival order, and history exchange carries that state between replicas.
 */
class ExpiryModelPropertiesTest {

    private static final long MAX_AGE = Duration.ofDays(1).toMillis();

    @Property(tries = 500)
    void replicasThatSawTheSameUpdatesInAnyOrderHoldTheSameState(
            @ForAll("updates") List<Update> updates, @ForAll Random random) {
        ExpiryModel first = replicaWith(shuffled(updates, random));

        for (int replica = 0; replica < 3; replica++) {
            assertSameState(replicaWith(shuffled(updates, random)), first);
        }
        assertThat(first.toJson()).isEqualTo(fold(updates));
    }

    @Property(tries = 500)
    void exchangingHistoryBringsTwoReplicasToTheSameState(
            @ForAll("updates") List<Update> updates, @ForAll Random random) {
        List<Update> seenByA = perSourcePrefixes(updates, random);
        List<Update> seenByB = perSourcePrefixes(updates, random);
        ExpiryModel a = replicaWith(shuffled(seenByA, random));
        ExpiryModel b = replicaWith(shuffled(seenByB, random));

        List<Update> toB = a.history(b.clock());
        List<Update> toA = b.history(a.clock());
        toB.forEach(b::apply);
        toA.forEach(a::apply);

        assertSameState(a, b);
        Set<Update> union = new HashSet<>(seenByA);
        union.addAll(seenByB);
        assertThat(a.toJson()).isEqualTo(fold(union));
    }

    @Property(tries = 200)
    void replicasJoinedByStreamsConvergeWhateverTheDeliveryOrderAndLostConnections(
            @ForAll("writes") List<Tuple.Tuple3<Integer, String, JsonValue>> writes, @ForAll Random random) {
        Network network = new Network(new FakeClock(NOW));
        Network.Replica server = network.replica("server");
        List<Network.Replica> clients = List.of(network.replica("A"), network.replica("B"), network.replica("C"));
        List<Network.Link> links = new ArrayList<>(clients.stream().map(c -> network.connect(c, server)).toList());
        List<Update> made = new ArrayList<>();

        for (int i = 0; i < writes.size(); i++) {
            int writer = writes.get(i).get1();
            Network.Replica replica = writer < clients.size() ? clients.get(writer) : server;
            double ts = NOW - 10_000 + i;
            made.add(new Update(writes.get(i).get2(), writes.get(i).get3(), ts, replica.id));
            replica.write(writes.get(i).get2(), writes.get(i).get3().toString(), ts);
            for (int deliveries = random.nextInt(4); deliveries > 0; deliveries--) {
                network.deliverOne(random);
            }
            if (random.nextInt(10) == 0) {
                int reconnecting = random.nextInt(clients.size());
                links.get(reconnecting).close();
                links.set(reconnecting, network.connect(clients.get(reconnecting), server));
            }
        }
        network.settle();

        for (Network.Replica client : clients) {
            assertSameState(client.model, server.model);
        }
        assertThat(server.model.toJson()).isEqualTo(fold(made));
    }

    @Provide
    Arbitrary<List<Update>> updates() {
        // Few distinct times, so equal timestamps from different sources are common; a few
        // updates are already older than maxAge.
        Arbitrary<Double> timestamps = Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.integers().between(0, 30).map(i -> NOW - 1000 + i * 0.5)),
                Tuple.of(1, Arbitraries.integers().between(1, 5).map(i -> (double) NOW - MAX_AGE - i)));
        return Combinators.combine(Arbitraries.of("k1", "k2", "k3"), values(), timestamps, Arbitraries.of("A", "B", "C", "D"))
                .as(Update::new)
                .list().ofMaxSize(25)
                .uniqueElements(update -> List.of(update.ts(), update.source()));
    }

    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, String, JsonValue>>> writes() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.of("k1", "k2", "k3"), values())
                .as(Tuple::of)
                .list().ofMaxSize(30);
    }

    /** Deletes, scalars, arrays, and (most often) object patches over a few fields, {} included. */
    private static Arbitrary<JsonValue> values() {
        Arbitrary<JsonValue> patches = Arbitraries.maps(Arbitraries.of("f1", "f2", "f3", "f4"), Arbitraries.integers().between(0, 9))
                .ofMaxSize(3)
                .map(fields -> {
                    JsonObjectBuilder patch = Json.createObjectBuilder();
                    fields.forEach(patch::add);
                    return patch.build();
                });
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(JsonValue.NULL)),
                Tuple.of(2, Arbitraries.integers().between(0, 9).map(Json::createValue)),
                Tuple.of(1, Arbitraries.strings().alpha().ofMaxLength(2).map(Json::createValue)),
                Tuple.of(1, Arbitraries.integers().between(0, 9).map(i -> Json.createArrayBuilder().add(i).build())),
                Tuple.of(5, patches));
    }

    /**
     * The specification, folded naively: every update not older than maxAge, in write order; an
     * object over an object merges, anything else replaces, null deletes.
     */
    private static JsonObject fold(Collection<Update> updates) {
        Map<String, JsonValue> state = new TreeMap<>();
        updates.stream()
                .filter(update -> update.ts() >= NOW - MAX_AGE)
                .sorted(Update.WRITE_ORDER)
                .forEach(update -> {
                    if (state.get(update.key()) instanceof JsonObject base && update.value() instanceof JsonObject patch) {
                        JsonObjectBuilder merged = Json.createObjectBuilder(base);
                        patch.forEach(merged::add);
                        state.put(update.key(), merged.build());
                    } else {
                        state.put(update.key(), update.value());
                    }
                });
        JsonObjectBuilder live = Json.createObjectBuilder();
        state.forEach((key, value) -> {
            if (value.getValueType() != JsonValue.ValueType.NULL) {
                live.add(key, value);
            }
        });
        return live.build();
    }

    /**
     * What a replica can have seen under the scuttlebutt protocol: from each source, its updates
     * up to some point, arriving in any order.
     */
    private static List<Update> perSourcePrefixes(List<Update> updates, Random random) {
        List<Update> seen = new ArrayList<>();
        Map<String, List<Update>> bySource = updates.stream().collect(Collectors.groupingBy(Update::source));
        bySource.values().forEach(fromSource -> {
            List<Update> inOrder = fromSource.stream().sorted(Update.WRITE_ORDER).toList();
            seen.addAll(inOrder.subList(0, random.nextInt(inOrder.size() + 1)));
        });
        return seen;
    }

    private static ExpiryModel replicaWith(List<Update> updates) {
        ExpiryModel model = new ExpiryModel(ExpiryModel.Limits.DEFAULTS, new FakeClock(NOW));
        updates.forEach(model::apply);
        return model;
    }

    private static List<Update> shuffled(Collection<Update> updates, Random random) {
        List<Update> shuffled = new ArrayList<>(updates);
        Collections.shuffle(shuffled, random);
        return shuffled;
    }

    private static void assertSameState(ExpiryModel actual, ExpiryModel expected) {
        assertThat(actual.toJson()).isEqualTo(expected.toJson());
        assertThat(actual.history(Map.of())).isEqualTo(expected.history(Map.of()));
        assertThat(actual.clock()).isEqualTo(expected.clock());
    }
}
