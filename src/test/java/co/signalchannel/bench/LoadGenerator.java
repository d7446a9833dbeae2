package co.signalchannel.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The benchmark's client side: a few selector threads ("loops") that carry thousands of
 * {@link BenchSocket}s, spread over several 127.0.0.x source addresses so that ephemeral ports
 * never run short. Every address it ever uses is on loopback.
 */
final class LoadGenerator implements AutoCloseable {

    /** Handshakes in flight at once while connecting many sockets. */
    static final int CONNECT_CONCURRENCY = 256;
    static final long CONNECT_TIMEOUT_SECONDS = 30;

    private final Loop[] loops;
    private final InetAddress[] sources;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicInteger nextSource = new AtomicInteger();

    /**
     * @param threads         selector threads
     * @param sourceAddresses how many source addresses, 127.0.0.2 upwards, to spread sockets over
     */
    LoadGenerator(int threads, int sourceAddresses) {
        loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop(i);
            loops[i].start();
        }
        sources = new InetAddress[sourceAddresses];
        for (int i = 0; i < sourceAddresses; i++) {
            try {
                sources[i] = InetAddress.getByAddress(new byte[]{127, 0, 0, (byte) (2 + i)});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    int threads() {
        return loops.length;
    }

    /** CPU time this whole process has used, in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Opens one WebSocket; the future completes once the handshake has. */
    CompletableFuture<BenchSocket> connect(URI uri, boolean offerDeflate, BenchSocket.Inbound inbound) {
        requireLoopback(uri);
        Loop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
        SocketChannel channel;
        BenchSocket socket;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.bind(new InetSocketAddress(sources[Math.floorMod(nextSource.getAndIncrement(), sources.length)], 0));
            socket = new BenchSocket(loop, channel, uri, offerDeflate, inbound);
            boolean connected = channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            loop.register(socket, connected);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return socket.opened().orTimeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((open, failure) -> {
            if (failure != null) {
                socket.drop();
            }
        });
    }

    /**
     * Opens {@code count} sockets, at most {@link #CONNECT_CONCURRENCY} handshakes at a time, and
     * waits for all of them.
     *
     * @throws IOException if any failed to open
     */
    List<BenchSocket> connectAll(int count, IntFunction<URI> uri, boolean offerDeflate, IntFunction<BenchSocket.Inbound> inbound)
            throws IOException, InterruptedException {
        Semaphore inFlight = new Semaphore(CONNECT_CONCURRENCY);
        List<CompletableFuture<BenchSocket>> futures = new ArrayList<>(count);
        AtomicBoolean failing = new AtomicBoolean();
        for (int i = 0; i < count && !failing.get(); i++) {
            inFlight.acquire();
            CompletableFuture<BenchSocket> future = connect(uri.apply(i), offerDeflate, inbound.apply(i));
            future.whenComplete((socket, failure) -> {
                if (failure != null) {
                    failing.set(true); // stop opening more: the rest would most likely time out too
                }
                inFlight.release();
            });
            futures.add(future);
        }
        List<BenchSocket> sockets = new ArrayList<>(count);
        IOException failed = null;
        for (CompletableFuture<BenchSocket> future : futures) {
            try {
                sockets.add(future.join());
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = new IOException("opening " + count + " connections failed: " + e.getCause(), e.getCause());
                }
            }
        }
        if (failed == null && sockets.size() < count) {
            failed = new IOException("opening " + count + " connections stopped after a failure");
        }
        if (failed != null) {
            sockets.forEach(BenchSocket::drop);
            throw failed;
        }
        return sockets;
    }

    private static void requireLoopback(URI uri) {
        try {
            if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException("the benchmark only sends traffic to loopback, not to " + uri);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(uri.toString(), e);
        }
    }

    @Override
    public void close() {
        for (Loop loop : loops) {
            loop.shutdown();
        }
    }

    /** One selector thread and the sockets it carries. */
    static final class Loop extends Thread {

        final int index;
        private final Selector selector;
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 21);
        private volatile boolean running = true;

        Loop(int index) {
            super("bench-loop-" + index);
            this.index = index;
            setDaemon(true);
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void register(BenchSocket socket, boolean connected) {
            tasks.add(() -> {
                try {
                    SelectionKey key = socket.channel.register(selector,
                            connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, socket);
                    socket.registered(key);
                    if (connected) {
                        socket.connectable();
                    }
                } catch (IOException e) {
                    socket.end(1006, e.toString());
                }
            });
            selector.wakeup();
        }

        @Override
        public void run() {
            while (running) {
                try {
                    selector.select(100);
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        BenchSocket socket = (BenchSocket) key.attachment();
                        try {
                            if (!key.isValid()) {
                                continue;
                            }
                            if (key.isConnectable()) {
                                socket.connectable();
                            } else if (key.isReadable()) {
                                socket.readable(buffer);
                            }
                        } catch (IOException | RuntimeException e) {
                            socket.end(1006, e.toString());
                        }
                    }
                    selector.selectedKeys().clear();
                } catch (IOException e) {
                    throw new IllegalStateException("selector failed", e);
                }
            }
            for (SelectionKey key : selector.keys()) {
                ((BenchSocket) key.attachment()).drop();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }

        void shutdown() {
            running = false;
            selector.wakeup();
            try {
                join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
