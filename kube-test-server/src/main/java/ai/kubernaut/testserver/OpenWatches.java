package ai.kubernaut.testserver;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The watches the server has open, so that a restart can break them as a dying kube-apiserver does, and so that their
 * events can reach the watchers late ({@link #delayEvents}), as a real server's do when etcd is slow to commit and the
 * watch cache to fan out: the gap between a write's answer and its event at the other watchers.
 */
final class OpenWatches {

    private final Set<Watch> open = ConcurrentHashMap.newKeySet();
    /** Delay of the events of a resource (plural) to its watchers, in nanoseconds; absent: none. */
    private final Map<String, Long> eventDelays = new ConcurrentHashMap<>();
    /** Sends the held events when they are due; one thread, so the events of one watch keep their order. */
    private ScheduledExecutorService delivery;

    /** The mock's listener of a watch of {@code resource} (plural), with the watch known while it is open. */
    WebSocketListener track(WebSocketListener mockListener, String resource) {
        return new Watch(mockListener, resource);
    }

    /**
     * Every event of {@code resource} (plural, any namespace) reaches its watchers {@code millis} after the server
     * sent it, in order; 0 ends it, and events still held then go out at once. The delay counts from when the event
     * was sent, whatever the delay was then: a changed delay applies to the events held too.
     */
    void delayEvents(String resource, long millis) {
        if (millis <= 0) {
            eventDelays.remove(resource);
        } else {
            eventDelays.put(resource, TimeUnit.MILLISECONDS.toNanos(millis));
        }
        open.forEach(Watch::reconsider);
    }

    /** The delays set, in milliseconds by resource (for {@code GET /__e2e/faults}). */
    Map<String, Long> eventDelays() {
        Map<String, Long> millis = new TreeMap<>();
        eventDelays.forEach((resource, nanos) -> millis.put(resource, TimeUnit.NANOSECONDS.toMillis(nanos)));
        return millis;
    }

    /** Ends every event delay; the events held go out at once. */
    void clearDelays() {
        eventDelays.clear();
        open.forEach(Watch::reconsider);
    }

    /** Stops the delivery thread (the server is closing); events still held are dropped with their watches. */
    synchronized void close() {
        if (delivery != null) {
            delivery.shutdownNow();
        }
    }

    private synchronized ScheduledExecutorService delivery() {
        if (delivery == null) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "kube-test-server-watch-delay");
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            delivery = executor;
        }
        return delivery;
    }

    /** Drops the connection of every open watch; returns how many there were. */
    int breakAll() {
        List<Watch> broken = List.copyOf(open);
        broken.forEach(Watch::drop);
        return broken.size();
    }

    /**
     * One watch: it passes the mock's listener the events of the connection, and itself as the connection's
     * WebSocket, which goes quiet once dropped (the mock would log its sends and close on a dead connection as
     * SEVERE failures).
     */
    private final class Watch extends WebSocketListener implements WebSocket {

        private final WebSocketListener mock;
        private final String resource;
        private volatile WebSocket socket;
        private volatile boolean dropped;
        /** Events held back by a delay, oldest first (guarded by this). */
        private final Queue<Held> held = new ArrayDeque<>();

        /** An event sent at {@code sentNanos}, not passed on yet. */
        private record Held(long sentNanos, String text, byte[] bytes) {
        }

        Watch(WebSocketListener mock, String resource) {
            this.mock = mock;
            this.resource = resource;
        }

        /**
         * Passes the event on now, or holds it while the resource's events are delayed or older ones are still held
         * (the order of a watch's events is kept).
         */
        private boolean pass(String text, byte[] bytes) {
            if (dropped) {
                return false;
            }
            synchronized (this) {
                if (held.isEmpty() && !eventDelays.containsKey(resource)) {
                    return text != null ? socket.send(text) : socket.send(bytes);
                }
                held.add(new Held(System.nanoTime(), text, bytes));
                if (held.size() == 1) {
                    schedule();
                }
                return true;
            }
        }

        /** The delay changed: the held events may be due earlier (or later) than planned. */
        void reconsider() {
            synchronized (this) {
                if (!held.isEmpty()) {
                    schedule();
                }
            }
        }

        /** Runs a delivery when the oldest held event is due (more than one planned delivery is harmless). */
        private void schedule() {
            long wait = due(held.peek()) - System.nanoTime();
            try {
                delivery().schedule(this::deliverDue, Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                held.clear(); // the server is closing: its watches go with it
            }
        }

        private long due(Held event) {
            return event.sentNanos() + eventDelays.getOrDefault(resource, 0L);
        }

        /** Sends the held events that are due, in order; plans the next delivery for the rest. */
        private void deliverDue() {
            synchronized (this) {
                while (!held.isEmpty() && due(held.peek()) - System.nanoTime() <= 0) {
                    Held event = held.poll();
                    if (!dropped) {
                        if (event.text() != null) {
                            socket.send(event.text());
                        } else {
                            socket.send(event.bytes());
                        }
                    }
                }
                if (!held.isEmpty()) {
                    schedule();
                }
            }
        }

        void drop() {
            dropped = true;
            dropConnection(socket);
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            socket = webSocket;
            mock.onBeforeAccept(this, response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            socket = webSocket;
            open.add(this);
            mock.onOpen(this, response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            mock.onMessage(this, text);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            mock.onMessage(this, bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            mock.onClosing(this, code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            open.remove(this);
            forgetHeld();
            mock.onClosed(this, code, reason);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable error, Response response) {
            open.remove(this);
            forgetHeld();
            mock.onFailure(this, error, response);
        }

        private synchronized void forgetHeld() {
            held.clear();
        }

        @Override
        public RecordedRequest request() {
            return socket.request();
        }

        @Override
        public boolean send(String text) {
            return pass(text, null);
        }

        @Override
        public boolean send(byte[] bytes) {
            return pass(null, bytes);
        }

        @Override
        public boolean close(int code, String reason) {
            return !dropped && socket.close(code, reason);
        }
    }

    /**
     * Closes the watch's TCP connection without a WebSocket close frame: what a client sees when the API server's
     * process dies. The mock's WebSocket, Vert.x's connection and Netty's channel all close gracefully (a close frame
     * first, sent by a handler of the channel's pipeline), so this closes from the pipeline's first handler, past them.
     */
    private static void dropConnection(WebSocket webSocket) {
        try {
            Field field = webSocket.getClass().getDeclaredField("webSocket"); // Vert.x's ServerWebSocket
            field.setAccessible(true);
            Object serverWebSocket = field.get(webSocket);
            Object connection = serverWebSocket.getClass().getMethod("connection").invoke(serverWebSocket);
            Object channel = connection.getClass().getMethod("channel").invoke(connection);
            Object pipeline = Class.forName("io.netty.channel.Channel").getMethod("pipeline").invoke(channel);
            Object first = Class.forName("io.netty.channel.ChannelPipeline").getMethod("firstContext").invoke(pipeline);
            Class.forName("io.netty.channel.ChannelOutboundInvoker").getMethod("close").invoke(first);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("mockwebserver changed: cannot drop a watch connection", e);
        }
    }
}
