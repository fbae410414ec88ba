package ai.kubernaut.testserver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.locks.Lock;

/**
 * What a watch opened from a resourceVersion sends first. The mock's watch listener replays every stored object
 * it selects as ADDED when it opens, whatever version was asked for; a real server sends only the events after that
 * version. Here such a watch replays only the objects whose resourceVersion is newer (as ADDED: the mock keeps no
 * history, so a deletion in between is not sent, and a change is an ADDED, which an informer stores like a
 * MODIFIED). Installed into the mock's listener by reflection (its replay is a private final field).
 */
final class WatchReplay {

    private static final JsonFactory JSON = new JsonFactory();

    private WatchReplay() {
    }

    static void onlyChangedSince(WebSocketListener listener, long since, Lock readLock,
            Map<AttributeSet, String> objects) {
        try {
            Class<?> type = listener.getClass();
            Method matches = type.getMethod("attributeMatches", AttributeSet.class);
            Method send = type.getMethod("sendWebSocketResponse", String.class, Watcher.Action.class);
            matches.setAccessible(true);
            send.setAccessible(true);
            Consumer<Object> replay = watch -> {
                readLock.lock();
                try {
                    for (Map.Entry<AttributeSet, String> entry : objects.entrySet()) {
                        if ((boolean) matches.invoke(watch, entry.getKey()) && resourceVersion(entry.getValue()) > since) {
                            send.invoke(watch, entry.getValue(), Watcher.Action.ADDED);
                        }
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("kubernetes-server-mock changed: cannot replay a watch", e);
                } finally {
                    readLock.unlock();
                }
            };
            Field onOpen = type.getDeclaredField("onOpenAction");
            onOpen.setAccessible(true);
            onOpen.set(listener, replay);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kubernetes-server-mock changed: cannot replay a watch from a version", e);
        }
    }

    /** {@code metadata.resourceVersion} of a stored object (a number on this server); -1 when it has none. */
    static long resourceVersion(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.getCurrentName();
                parser.nextToken();
                if (!field.equals("metadata")) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String inner = parser.getCurrentName();
                    parser.nextToken();
                    if (inner.equals("resourceVersion")) {
                        return Long.parseLong(parser.getText());
                    }
                    parser.skipChildren();
                }
                return -1;
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
