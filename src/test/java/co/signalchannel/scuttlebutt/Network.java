package co.signalchannel.scuttlebutt;

import static co.signalchannel.scuttlebutt.Fixtures.json;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Replicas joined by in-memory links that carry whole text messages in order, like WebSockets,
 * and deliver them only when told to — so tests choose the interleaving.
 */
final class Network {

    private final FakeClock clock;
    private final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    private final List<Link> links = new ArrayList<>();

    Network(FakeClock clock) {
        this.clock = clock;
    }

    Replica replica(String id) {
        return replica(id, ExpiryModel.Limits.DEFAULTS);
    }

    Replica replica(String id, ExpiryModel.Limits limits) {
        return new Replica(id, new ExpiryModel(limits, clock));
    }

    /** Opens a link between two replicas; both send their digest at once, as on a WebSocket open. */
    Link connect(Replica client, Replica server) {
        Link link = new Link();
        ReplicationStream clientSide = new ReplicationStream(client.id, client.model, codec, link.toServer::add);
        ReplicationStream serverSide = new ReplicationStream(server.id, server.model, codec, link.toClient::add);
        link.clientReceives = message -> client.handle(clientSide, message);
        link.serverReceives = message -> server.handle(serverSide, message);
        link.onClose = () -> {
            client.streams.remove(clientSide);
            server.streams.remove(serverSide);
        };
        client.streams.add(clientSide);
        server.streams.add(serverSide);
        links.add(link);
        clientSide.open();
        serverSide.open();
        return link;
    }

    /** Opens a link between a twin of the npm model and a replica. */
    Link connect(ScuttlebuttTwin client, Replica server) {
        Link link = new Link();
        ReplicationStream serverSide = new ReplicationStream(server.id, server.model, codec, link.toClient::add);
        link.clientReceives = message -> link.toServer.addAll(client.onMessage(message));
        link.serverReceives = message -> server.handle(serverSide, message);
        link.onClose = () -> {
            client.onClose();
            server.streams.remove(serverSide);
        };
        server.streams.add(serverSide);
        links.add(link);
        link.toServer.addAll(client.onOpen());
        serverSide.open();
        return link;
    }

    /** Delivers one pending message on a random link and direction; false when none is pending. */
    boolean deliverOne(Random random) {
        List<Runnable> pending = new ArrayList<>();
        for (Link link : links) {
            if (!link.toClient.isEmpty()) {
                pending.add(() -> link.deliver(link.toClient, link.clientReceives, link.receivedByClient));
            }
            if (!link.toServer.isEmpty()) {
                pending.add(() -> link.deliver(link.toServer, link.serverReceives, link.receivedByServer));
            }
        }
        if (pending.isEmpty()) {
            return false;
        }
        pending.get(random.nextInt(pending.size())).run();
        return true;
    }

    /** Delivers until no message is pending. */
    void settle() {
        Random random = new Random(0);
        while (deliverOne(random)) {
            // keep delivering
        }
    }

    final class Replica {

        final String id;
        final ExpiryModel model;
        private final List<ReplicationStream> streams = new ArrayList<>();

        private Replica(String id, ExpiryModel model) {
            this.id = id;
            this.model = model;
        }

        /** A local write, as the server or a client makes it; passed on to every link if accepted. */
        boolean write(String key, String jsonValue, double ts) {
            Update update = new Update(key, json(jsonValue), ts, id);
            if (!model.apply(update)) {
                return false;
            }
            streams.forEach(stream -> stream.forward(update));
            return true;
        }

        private void handle(ReplicationStream from, String message) {
            List<Update> accepted;
            try {
                accepted = from.receive(codec.decode(message));
            } catch (MalformedMessageException e) {
                throw new AssertionError("replica " + id + " received a malformed message: " + message, e);
            }
            for (Update update : accepted) {
                for (ReplicationStream stream : List.copyOf(streams)) {
                    if (stream != from) {
                        stream.forward(update);
                    }
                }
            }
        }
    }

    final class Link {

        private final Deque<String> toClient = new ArrayDeque<>();
        private final Deque<String> toServer = new ArrayDeque<>();
        final List<String> receivedByClient = new ArrayList<>();
        final List<String> receivedByServer = new ArrayList<>();
        private Consumer<String> clientReceives;
        private Consumer<String> serverReceives;
        private Runnable onClose;

        /** Sends lines a twin client produced outside of a received message, e.g. from a local set. */
        void fromClient(List<String> lines) {
            toServer.addAll(lines);
        }

        /** Closes the link; messages still in flight are lost, as on a dropped connection. */
        void close() {
            toClient.clear();
            toServer.clear();
            links.remove(this);
            onClose.run();
        }

        private void deliver(Deque<String> queue, Consumer<String> receiver, List<String> log) {
            String message = queue.poll();
            log.add(message);
            receiver.accept(message);
        }
    }
}
