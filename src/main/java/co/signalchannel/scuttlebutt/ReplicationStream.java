package co.signalchannel.scuttlebutt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One session's side of the scuttlebutt exchange, speaking as the npm {@code scuttlebutt}
 * package's {@code Model.createStream()} does:
 * <ol>
 *   <li>{@link #open()} sends our digest: our replica id and the model's clock;</li>
 *   <li>on the peer's digest, sends every record the peer lacks by its clock (oldest first per
 *       source), then {@code "SYNC"};</li>
 *   <li>from then on, {@link #forward} sends each update the model accepted from another session
 *       (or made locally) unless the peer has it already.</li>
 * </ol>
 *
 * <p>What the peer has is tracked as its clock: the digest's clock, advanced to each update's
 * timestamp as we send it or receive it from the peer. An update is sent only when it is newer
 * than the peer's clock entry for its source — a scuttlebutt peer would drop it otherwise, since
 * it takes each source's updates in order only.
 *
 * <p>Between the peer's digest and its {@code "SYNC"}, the updates it sends are held and applied
 * when {@code "SYNC"} arrives, in write order. An npm peer sends its local writes as soon as the
 * stream opens, so a write made right after connecting overtakes the older writes the peer pushes
 * as history once it has our digest. Applied in arrival order, the newer write would be forwarded
 * first, advancing every other peer's clock for that source past the older writes, which would
 * then never reach them (and an npm peer drops an update older than its clock anyway). Held
 * updates are bounded by the model's {@link ExpiryModel.Limits#maxRetainedBytes()} (estimated the
 * same way); beyond that they are applied early, in write order, and the ordering is best-effort.
 * If the session ends before {@code "SYNC"} they are dropped: the model's clock does not claim
 * them, so the peer pushes them again when it reconnects.
 *
 * <p>Choices where the npm stream leaves room:
 * <ul>
 *   <li>Updates received before the peer's digest are applied at once (as npm does); only a peer
 *       that sends a digest is expected to send {@code "SYNC"}.</li>
 *   <li>Nothing is forwarded before the peer's digest: the history sent on the digest includes
 *       every update accepted meanwhile, and sending any of them earlier would advance the peer's
 *       clock past older records it still lacks, which it would then drop.</li>
 *   <li>A further digest from the same peer re-synchronises, as npm's stream does: its clock
 *       replaces what we believed, and the lacking history and {@code "SYNC"} are sent again.
 *       Believing the peer can only make us re-send what it has, which it ignores; it never
 *       misses anything.</li>
 *   <li>Updates received from the peer are not echoed back to it (npm's stream does echo them; the
 *       peer drops them as old).</li>
 * </ul>
 *
 * <p>Output goes to {@code sink} as text messages of one or more {@code \n}-terminated lines; the
 * history and {@code "SYNC"} are packed into messages of about {@value #HISTORY_MESSAGE_CHARS}
 * characters, so a large history neither floods a per-session queue with tiny messages nor makes
 * one huge message.
 *
 * <p>The peer's clock is bounded: when it outgrows the model's sources, entries for sources the
 * model no longer holds are dropped (that can only make us re-send something the peer ignores).
 *
 * <p>Not thread-safe: call it under the same lock as its model, which also keeps the order of
 * {@code sink} calls the order the peer must receive them in.
 */
public final class ReplicationStream {

    /** The size, in characters, that history messages are filled up to; a longer line goes alone. */
    public static final int HISTORY_MESSAGE_CHARS = 64 * 1024;

    /** How many entries of the peer's clock are tolerated beyond the model's sources. */
    private static final int PEER_CLOCK_SLACK = 1024;

    private final String replicaId;
    private final ExpiryModel model;
    private final ScuttlebuttCodec codec;
    private final EncodedHistory history;
    private final Consumer<String> sink;

    private Map<String, Double> peerClock = new HashMap<>();
    private int prunePeerClockAbove = PEER_CLOCK_SLACK;
    private String peerId;
    private boolean historySent;
    private boolean syncReceived;
    /** Updates from the peer since its digest, waiting for its "SYNC". */
    private final List<Update> held = new ArrayList<>();
    private long heldBytes;
    private boolean holding;

    /**
     * @param replicaId the id this server's replica goes by in digests
     * @param model     the namespace's model, shared by every stream of the namespace
     * @param codec     writes the lines sent
     * @param sink      takes each text message to send, in order
     */
    public ReplicationStream(String replicaId, ExpiryModel model, ScuttlebuttCodec codec, Consumer<String> sink) {
        this(replicaId, model, codec, new EncodedHistory(model, codec), sink);
    }

    /** As above, sharing {@code history} (of the same model) with the namespace's other streams. */
    ReplicationStream(String replicaId, ExpiryModel model, ScuttlebuttCodec codec, EncodedHistory history,
                      Consumer<String> sink) {
        this.replicaId = replicaId;
        this.model = model;
        this.codec = codec;
        this.history = history;
        this.sink = sink;
    }

    /** Sends our digest; call once, when the session opens. */
    public void open() {
        sink.accept(codec.encode(new Digest(replicaId, model.clock())));
    }

    /**
     * Handles the values of one message from the peer, in order: updates are applied to the model
     * (or held until the peer's {@code "SYNC"}, see the class comment), a digest (re)starts the
     * history exchange, {@code "SYNC"} is noted and releases the held updates.
     *
     * @return the updates the model accepted, in the order applied, to {@link #forward} to every
     *         other stream of the namespace
     * @throws BudgetExceededException when the model refused an update for want of room in the
     *         server's budget: the rest of the message, and any held updates, are dropped; the
     *         updates accepted before it are in {@link BudgetExceededException#accepted()}
     */
    public List<Update> receive(List<? extends ProtocolValue> values) {
        List<Update> accepted = new ArrayList<>();
        try {
            receive(values, accepted);
        } catch (BudgetExceededException refused) {
            held.clear();
            heldBytes = 0;
            throw refused.after(accepted);
        }
        return accepted;
    }

    private void receive(List<? extends ProtocolValue> values, List<Update> accepted) {
        for (ProtocolValue value : values) {
            if (value instanceof Update update) {
                notePeerHas(update);
                if (holding) {
                    hold(update, accepted);
                } else if (model.apply(update)) {
                    accepted.add(update);
                }
            } else if (value instanceof Digest digest) {
                peerId = digest.id();
                peerClock = new HashMap<>(digest.clock());
                prunePeerClockIfLarge();
                sendHistory();
                holding = true;
            } else if (value == SyncMarker.SYNC) {
                syncReceived = true;
                holding = false;
                applyHeld(accepted);
            }
        }
    }

    /**
     * Sends {@code update}, which the model accepted from another session or from the server
     * itself, unless the peer has not asked for history yet or has the update already.
     */
    public void forward(Update update) {
        forward(update, null);
    }

    /**
     * As {@link #forward(Update)}, given the update's line as this stream's codec encodes it (or
     * null), so that a namespace encodes an update once for all its sessions, not once for each.
     */
    public void forward(Update update, String encoded) {
        if (historySent && peerLacks(update)) {
            sink.accept(encoded != null ? encoded : codec.encode(update));
            notePeerHas(update);
        }
    }

    /** The id in the peer's digest, once it has sent one. */
    public Optional<String> peerId() {
        return Optional.ofNullable(peerId);
    }

    /** Whether we have sent the peer its history and {@code "SYNC"}. */
    public boolean historySent() {
        return historySent;
    }

    /** Whether the peer has sent us {@code "SYNC"}. */
    public boolean syncReceived() {
        return syncReceived;
    }

    /** How many sources the peer's clock tracks; bounded as the class comment says. */
    int peerClockSize() {
        return peerClock.size();
    }

    private void hold(Update update, List<Update> accepted) {
        held.add(update);
        heldBytes += ExpiryModel.estimatedSize(update);
        if (heldBytes > model.limits().maxRetainedBytes()) {
            applyHeld(accepted);
        }
    }

    private void applyHeld(List<Update> accepted) {
        held.sort(Update.WRITE_ORDER);
        for (Update update : held) {
            if (model.apply(update)) {
                accepted.add(update);
            }
        }
        held.clear();
        heldBytes = 0;
    }

    private void sendHistory() {
        List<String> messages;
        if (peerClock.isEmpty()) {
            // A peer with nothing gets everything: the shared encoding, and the model's clock.
            messages = history.whole();
            peerClock.putAll(model.clock());
            prunePeerClockIfLarge();
        } else {
            List<Update> lacking = model.history(peerClock);
            messages = history.pack(lacking);
            lacking.forEach(this::notePeerHas);
        }
        messages.forEach(sink);
        historySent = true;
    }

    private boolean peerLacks(Update update) {
        Double known = peerClock.get(update.source());
        return known == null || update.ts() > known;
    }

    private void notePeerHas(Update update) {
        peerClock.merge(update.source(), update.ts(), Math::max);
        prunePeerClockIfLarge();
    }

    private void prunePeerClockIfLarge() {
        if (peerClock.size() > prunePeerClockAbove) {
            peerClock.keySet().retainAll(model.clock().keySet());
            prunePeerClockAbove = Math.max(PEER_CLOCK_SLACK, 2 * peerClock.size());
        }
    }
}
