package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.namespace.NamespaceRegistry;
import co.signalchannel.namespace.Usage;

import java.time.InstantSource;
import java.util.List;
import java.util.UUID;

/**
 * Every scuttlebutt namespace of the server, held within two server-wide bounds: how many
 * namespaces there are, and how many bytes their models retain together (a {@link ByteBudget},
 * counted as {@link ExpiryModel#estimatedSize} estimates records). {@link ScuttlebuttHub} is its
 * side facing the container; this is plain Java, so tests drive it with a fake clock.
 *
 * <h2>When a bound is reached</h2>
 * What gives way is a namespace without sessions: it outlives its sessions only so that a
 * returning client finds its records. The one that has been idle longest (no session joined, left
 * or wrote since) goes first, forgotten whole.
 * <ul>
 *   <li>A session that opens a namespace beyond {@link Bounds#maxNamespaces()}: one namespace
 *       without sessions is forgotten; if every one has sessions, the session is refused with
 *       1013.</li>
 *   <li>A message whose updates would take the models beyond {@link Bounds#maxTotalBytes()}:
 *       namespaces without sessions are forgotten until the message fits, counting each of its
 *       updates as new (an update that only replaces a value may need less). If an update still
 *       has no room (every namespace holding bytes has sessions, or others took the room first),
 *       the session that sent it is closed with 1013: the updates before it in its message are
 *       kept and passed on, it and the rest are dropped, and no other session notices anything.
 *       An update that does not make the models grow (one that replaces a value with one no
 *       larger, a delete of a large value) is never refused.</li>
 *   <li>Joining is never refused for want of bytes: a session that only reads adds nothing to
 *       the models, and its own updates are judged when they come.</li>
 * </ul>
 * The byte total is kept by the models as they change, so checking it costs one atomic read;
 * namespaces are looked at one by one only when room must be made, and then sorted once.
 *
 * <p>Thread-safe.
 */
final class ScuttlebuttStore {

    /**
     * @param maxNameLength   longest namespace name, in characters
     * @param maxSessions     most sessions of one namespace
     * @param maxNamespaces   most namespaces held at once
     * @param maxTotalBytes   most bytes all models may retain together
     */
    record Bounds(int maxNameLength, int maxSessions, int maxNamespaces, long maxTotalBytes) {
    }

    /** Where the updates a namespace's sessions got accepted go beyond this node (nowhere, alone). */
    interface Replication {
        Replication NONE = (name, namespace, updates) -> { };

        void accepted(String name, ScuttlebuttNamespace namespace, List<Update> updates);
    }

    private final NamespaceRegistry<ScuttlebuttNamespace> namespaces;
    private final ByteBudget budget;
    private final int maxNamespaces;
    /** The most one model retains ({@link ExpiryModel.Limits#maxRetainedBytes()}). */
    private final long maxNamespaceBytes;

    /**
     * @param fanOutMinSlice fewest sessions worth handing to a waiting thread when forwarding
     */
    ScuttlebuttStore(Bounds bounds, ExpiryModel.Limits modelLimits, ScuttlebuttCodec codec, InstantSource clock,
                     int fanOutMinSlice) {
        this(bounds, modelLimits, codec, clock, fanOutMinSlice, Replication.NONE);
    }

    ScuttlebuttStore(Bounds bounds, ExpiryModel.Limits modelLimits, ScuttlebuttCodec codec, InstantSource clock,
                     int fanOutMinSlice, Replication replication) {
        this.budget = new ByteBudget(bounds.maxTotalBytes());
        this.maxNamespaces = bounds.maxNamespaces();
        this.maxNamespaceBytes = modelLimits.maxRetainedBytes();
        this.namespaces = new NamespaceRegistry<>("scuttlebutt",
                name -> {
                    ScuttlebuttNamespace[] self = new ScuttlebuttNamespace[1];
                    self[0] = new ScuttlebuttNamespace(UUID.randomUUID().toString(),
                            new ExpiryModel(modelLimits, clock, budget), codec, clock::millis, fanOutMinSlice,
                            accepted -> replication.accepted(name, self[0], accepted));
                    return self[0];
                },
                bounds.maxNameLength(), bounds.maxSessions());
    }

    /**
     * Adds the session to the namespace of that name, making room for the namespace if it is new.
     *
     * @throws ProtocolViolation 1008 for a name out of bounds; 1013 for a full namespace, or when
     *         every namespace slot is taken by a namespace with sessions
     */
    ScuttlebuttNamespace join(String name, Connection connection) throws ProtocolViolation {
        if (!namespaces.contains(name) && namespaces.size() >= maxNamespaces
                && !namespaces.dropLowest(ScuttlebuttNamespace::lastActive, ScuttlebuttNamespace::forgetIfIdle)) {
            throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, "server holds its limit of " + maxNamespaces
                    + " scuttlebutt namespaces, all in use; try again later");
        }
        return namespaces.join(name, connection);
    }

    /**
     * Applies what a session of {@code namespace} sent, first making room in the byte budget for
     * its updates if there is not enough.
     *
     * @throws ProtocolViolation 1013 when an update still does not fit (see the class comment)
     */
    void receive(ScuttlebuttNamespace namespace, Connection from, List<ProtocolValue> values) throws ProtocolViolation {
        // A model never counts more than its own byte bound, so while that much is free no message
        // can be refused, and its updates need not be measured (which serializes every value).
        if (!budget.hasRoomFor(maxNamespaceBytes)) {
            long incoming = 0;
            for (ProtocolValue value : values) {
                if (value instanceof Update update) {
                    incoming += ExpiryModel.estimatedSize(update);
                }
            }
            long needed = Math.min(incoming, maxNamespaceBytes);
            if (!budget.hasRoomFor(needed)) {
                namespaces.dropLowestWhile(ScuttlebuttNamespace::lastActive, ScuttlebuttNamespace::forgetIfIdle,
                        () -> !budget.hasRoomFor(needed));
            }
        }
        namespace.receive(from, values);
    }

    /** Purges expired records from every namespace, then drops those left with nothing. */
    void sweep() {
        namespaces.forEach((name, namespace) -> {
            namespace.purgeExpired();
            namespaces.dropIfAbandoned(name);
        });
    }

    /** The bytes all models may retain together, and how many they retain now. */
    ByteBudget budget() {
        return budget;
    }

    /**
     * What the models retain, summed namespace by namespace: what {@link #budget()} counts
     * without scanning, recomputed (for tests).
     */
    long recountRetainedBytes() {
        long[] total = new long[1];
        namespaces.forEach((name, namespace) -> total[0] += namespace.retainedBytes());
        return total[0];
    }

    Usage usage() {
        return new Usage(namespaces.size(), namespaces.sessions());
    }

    int sessions(String namespace) {
        return namespaces.sessions(namespace);
    }

    /** The namespace of that name, or null if none is held. */
    ScuttlebuttNamespace find(String namespace) {
        return namespaces.find(namespace);
    }

    /** Whether a namespace of that name is held now. */
    boolean contains(String namespace) {
        return namespaces.contains(namespace);
    }
}
