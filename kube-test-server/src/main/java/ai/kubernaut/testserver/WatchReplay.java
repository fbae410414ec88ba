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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.locks.Lock;

/**
 * What a watch opened from a resourceVersion sends first. The mock's watch listener replays every stored object
 * it selects as ADDED when it opens, whatever version was asked for; a real server sends only the events after that
 * version. Here such a watch replays only the objects whose resourceVersion is newer (as ADDED, which an informer
 * stores like a MODIFIED), then a DELETED for each object it selected that was deleted or left its selection since
 * (its labels changed; {@link Removals}), as a real server's watch cache does; when those removals are no longer all
 * known, the watch gets a 410 Expired ERROR event instead and the client lists again. Installed into the mock's
 * listener by reflection (its replay is a private final field).
 */
final class WatchReplay {

    private static final JsonFactory JSON = new JsonFactory();
    /** What a real server sends on a watch from a resourceVersion it no longer has the events after. */
    private static final String EXPIRED = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
            + "\"status\":\"Failure\",\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}";

    private WatchReplay() {
    }

    static void onlyChangedSince(WebSocketListener listener, long since, Lock readLock,
            Map<AttributeSet, String> objects, Removals removals) {
        try {
            Class<?> type = listener.getClass();
            Method matches = type.getMethod("attributeMatches", AttributeSet.class);
            Method send = type.getMethod("sendWebSocketResponse", String.class, Watcher.Action.class);
            matches.setAccessible(true);
            send.setAccessible(true);
            Consumer<Object> replay = watch -> {
                readLock.lock();
                try {
                    if (!removals.coversSince(since)) {
                        send.invoke(watch, EXPIRED, Watcher.Action.ERROR);
                        return;
                    }
                    Set<String> selected = new HashSet<>();
                    for (Map.Entry<AttributeSet, String> entry : objects.entrySet()) {
                        if ((boolean) matches.invoke(watch, entry.getKey())) {
                            selected.add(identity(entry.getValue()));
                            if (resourceVersion(entry.getValue()) > since) {
                                send.invoke(watch, entry.getValue(), Watcher.Action.ADDED);
                            }
                        }
                    }
                    for (Removals.Removal gone : removals.since(since)) {
                        // selected then, not now (deleted, or its labels moved it out), and told once
                        if ((boolean) matches.invoke(watch, gone.attributes())
                                && selected.add(identity(gone.lastState()))) {
                            send.invoke(watch, gone.lastState(), Watcher.Action.DELETED);
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

    /** kind, namespace and name of a stored object: what a watch's events are about. */
    private static String identity(String json) {
        return metadataField(json, "kind", false) + "/" + metadataField(json, "namespace", true) + "/"
                + metadataField(json, "name", true);
    }

    /** A top-level field ({@code inMetadata} false) or a field of {@code metadata}, as text; "" when absent. */
    private static String metadataField(String json, String wanted, boolean inMetadata) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.getCurrentName();
                parser.nextToken();
                if (!inMetadata && field.equals(wanted)) {
                    return parser.getText();
                }
                if (!inMetadata || !field.equals("metadata")) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String inner = parser.getCurrentName();
                    parser.nextToken();
                    if (inner.equals(wanted)) {
                        return parser.getText();
                    }
                    parser.skipChildren();
                }
                return "";
            }
            return "";
        } catch (IOException e) {
            return "";
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
