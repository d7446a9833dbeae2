/**
 * The scuttlebutt feature's pure logic: a replicated, expiring key/value model per namespace and
 * the stream protocol that replicates it, wire-compatible with the {@code scuttlebutt} npm
 * package's {@code Model.createStream()}.
 *
 * <ul>
 *   <li>{@link co.signalchannel.scuttlebutt.ScuttlebuttCodec} reads and writes the JSON Lines a
 *       WebSocket text message carries: {@link co.signalchannel.scuttlebutt.Digest digests},
 *       {@link co.signalchannel.scuttlebutt.Update updates} and the
 *       {@link co.signalchannel.scuttlebutt.SyncMarker sync marker}.</li>
 *   <li>{@link co.signalchannel.scuttlebutt.ExpiryModel} holds one namespace's state: last writer
 *       wins per key, object values merge field by field, deletes leave tombstones, records
 *       expire and memory is bounded.</li>
 *   <li>{@link co.signalchannel.scuttlebutt.ReplicationStream} is one session's side of the
 *       exchange: digest, history the peer lacks, {@code "SYNC"}, then live updates.</li>
 * </ul>
 *
 * <p>Nothing here knows about WebSocket sessions, CDI or threads: time comes from an injected
 * {@link java.time.InstantSource}, output goes to a {@link java.util.function.Consumer}, and
 * callers serialize access per namespace.
 */
package co.signalchannel.scuttlebutt;
