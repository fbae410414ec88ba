package ai.kubernaut.testserver;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The watches the server has open, so that a restart can break them as a dying kube-apiserver does. */
final class OpenWatches {

    private final Set<Watch> open = ConcurrentHashMap.newKeySet();

    /** The mock's listener of a watch, with the watch known while it is open. */
    WebSocketListener track(WebSocketListener mockListener) {
        return new Watch(mockListener);
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
        private volatile WebSocket socket;
        private volatile boolean dropped;

        Watch(WebSocketListener mock) {
            this.mock = mock;
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
            mock.onClosed(this, code, reason);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable error, Response response) {
            open.remove(this);
            mock.onFailure(this, error, response);
        }

        @Override
        public RecordedRequest request() {
            return socket.request();
        }

        @Override
        public boolean send(String text) {
            return !dropped && socket.send(text);
        }

        @Override
        public boolean send(byte[] bytes) {
            return !dropped && socket.send(bytes);
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
