package co.signalchannel.namespace;

import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.ProtocolViolation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The namespaces of one endpoint, by name: created on first use, dropped once abandoned.
 *
 * <p>Joining and leaving run atomically per name, so a namespace that is being dropped can never
 * swallow a session that joins it at the same moment.
 *
 * @param <N> the endpoint's kind of namespace
 */
public final class NamespaceRegistry<N extends Namespace> {

    private final String endpoint;
    private final Function<String, N> factory;
    private final int maxNameLength;
    private final int maxSessions;
    private final ConcurrentHashMap<String, N> byName = new ConcurrentHashMap<>();

    /**
     * @param endpoint      the endpoint's name, for error messages
     * @param factory       makes the namespace of a name on first use
     * @param maxNameLength the longest name accepted, in characters (code points)
     * @param maxSessions   the most sessions one namespace holds at once
     */
    public NamespaceRegistry(String endpoint, Function<String, N> factory, int maxNameLength, int maxSessions) {
        this.endpoint = endpoint;
        this.factory = factory;
        this.maxNameLength = maxNameLength;
        this.maxSessions = maxSessions;
    }

    /**
     * Adds the connection to the namespace of that name, creating the namespace if needed, and
     * arranges for it to leave when the connection ends.
     *
     * @param name the namespace name as the container decoded it from the path
     * @throws ProtocolViolation 1008 for a name out of bounds or not allowed ({@link NamespaceName}), 1013 for a full namespace
     */
    public N join(String name, Connection connection) throws ProtocolViolation {
        validate(name);
        Object[] joined = new Object[1];
        byName.compute(name, (key, namespace) -> {
            N target = namespace != null ? namespace : factory.apply(key);
            if (target.sessions() >= maxSessions) {
                joined[0] = null;
            } else {
                target.join(connection);
                joined[0] = target;
            }
            return target.isAbandoned() ? null : target;
        });
        if (joined[0] == null) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, endpoint + " namespace \"" + name
                    + "\" is full: it holds its limit of " + maxSessions + " sessions");
        }
        @SuppressWarnings("unchecked")
        N namespace = (N) joined[0];
        connection.onEnd(() -> leave(name, connection));
        return namespace;
    }

    /** Removes the connection; drops the namespace if that abandoned it. */
    public boolean leave(String name, Connection connection) {
        boolean[] left = new boolean[1];
        byName.computeIfPresent(name, (key, namespace) -> {
            left[0] = namespace.leave(connection);
            return namespace.isAbandoned() ? null : namespace;
        });
        return left[0];
    }

    /** Drops the namespace of that name if it is abandoned, e.g. once its state expired. */
    public void dropIfAbandoned(String name) {
        byName.computeIfPresent(name, (key, namespace) -> namespace.isAbandoned() ? null : namespace);
    }

    /** The namespace of that name, or null if it is not in use. */
    public N find(String name) {
        return byName.get(name);
    }

    /** Whether a namespace of that name exists now. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Runs {@code action} on every namespace (a weakly consistent view while others join and leave). */
    public void forEach(BiConsumer<String, N> action) {
        byName.forEach(action);
    }

    /**
     * Drops the namespace of lowest {@code rank} that {@code droppable} allows to drop at the
     * moment it is dropped. Ranks are read once, so namespaces may change while this runs.
     *
     * @return whether one was dropped
     */
    public boolean dropLowest(ToLongFunction<? super N> rank, Predicate<? super N> droppable) {
        for (Candidate<N> candidate : byRank(rank)) {
            if (drop(candidate, droppable)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Drops namespaces as {@link #dropLowest} does, lowest rank first, for as long as
     * {@code needMore} says more must go, sorting the namespaces once for all of them.
     *
     * @return how many were dropped
     */
    public int dropLowestWhile(ToLongFunction<? super N> rank, Predicate<? super N> droppable, BooleanSupplier needMore) {
        int dropped = 0;
        for (Candidate<N> candidate : byRank(rank)) {
            if (!needMore.getAsBoolean()) {
                break;
            }
            if (drop(candidate, droppable)) {
                dropped++;
            }
        }
        return dropped;
    }

    private record Candidate<N>(String name, N namespace, long rank) {
    }

    private List<Candidate<N>> byRank(ToLongFunction<? super N> rank) {
        List<Candidate<N>> candidates = new ArrayList<>();
        byName.forEach((name, namespace) -> candidates.add(new Candidate<>(name, namespace, rank.applyAsLong(namespace))));
        candidates.sort(Comparator.comparingLong(Candidate::rank));
        return candidates;
    }

    private boolean drop(Candidate<N> candidate, Predicate<? super N> droppable) {
        boolean[] dropped = new boolean[1];
        byName.computeIfPresent(candidate.name(), (name, namespace) -> {
            dropped[0] = namespace == candidate.namespace() && droppable.test(namespace);
            return dropped[0] ? null : namespace;
        });
        return dropped[0];
    }

    /** Namespaces in use. */
    public int size() {
        return byName.size();
    }

    /** Sessions over all namespaces (a moment's estimate while sessions come and go). */
    public int sessions() {
        return byName.values().stream().mapToInt(Namespace::sessions).sum();
    }

    /** Sessions of the namespace of that name; 0 if it is not in use. */
    public int sessions(String name) {
        N namespace = byName.get(name);
        return namespace == null ? 0 : namespace.sessions();
    }

    private void validate(String name) throws ProtocolViolation {
        int length = name == null ? 0 : name.codePointCount(0, name.length());
        if (length == 0 || length > maxNameLength) {
            throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION, endpoint + " namespace name is " + length
                    + " characters long; it must be 1 to " + maxNameLength);
        }
        // Normally refused in the handshake already (OpeningHandshakeFilter); this holds wherever it is not.
        String problem = NamespaceName.problem(name).orElse(null);
        if (problem != null) {
            throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION, endpoint + ": " + problem);
        }
    }
}
