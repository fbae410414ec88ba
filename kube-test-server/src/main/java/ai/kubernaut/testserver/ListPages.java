package ai.kubernaut.testserver;

import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * LISTs with a {@code limit}, answered in pages as a real API server answers them (the mock ignores the limit and
 * sends everything in one answer). The first page takes a snapshot of what the query selects; every page holds at
 * most {@code limit} items and the snapshot's resourceVersion, and, while items remain, a continue token for the
 * next page of the same snapshot: like etcd's paging at the first page's revision, no page shows a write made
 * after the first, so a paged list is consistent. A token whose snapshot is no longer kept (read to its end, one
 * of more than {@value #KEPT} open lists, or older than five minutes, as etcd compacts) answers 410 Expired, as a
 * real server does; a client starts its list again.
 */
final class ListPages {

    /** What a list query selected, in storage order, and the resourceVersion of the store when it was taken. */
    record Snapshot(List<String> items, long resourceVersion) {
    }

    private record Open(Snapshot snapshot, long openedNanos) {
    }

    static final int KEPT = 32;
    static final Duration EXPIRY = Duration.ofMinutes(5);

    private final Function<AttributeSet, Snapshot> take;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Open> open = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Open> eldest) {
            return size() > KEPT;
        }
    };

    ListPages(Function<AttributeSet, Snapshot> take) {
        this.take = take;
    }

    /** One page of the list {@code query} selects; {@code parameters} are the request's (limit, continue). */
    MockResponse page(AttributeSet query, Map<String, String> parameters) {
        long limit = parseOr(parameters.getOrDefault("limit", "0"), 0);
        String token = parameters.getOrDefault("continue", "");
        long id;
        int from;
        Snapshot snapshot;
        if (token.isEmpty()) {
            id = ids.incrementAndGet();
            from = 0;
            snapshot = take.apply(query);
        } else {
            long[] position = decode(token);
            Open known;
            synchronized (open) {
                known = position == null ? null : open.get(position[0]);
            }
            if (known == null || System.nanoTime() - known.openedNanos() > EXPIRY.toNanos()) {
                return expired();
            }
            id = position[0];
            from = (int) Math.min(position[1], known.snapshot().items().size());
            snapshot = known.snapshot();
        }
        int size = snapshot.items().size();
        int to = limit <= 0 ? size : (int) Math.min(size, from + limit);
        String next = "";
        synchronized (open) {
            if (to < size) {
                next = encode(id, to);
                open.putIfAbsent(id, new Open(snapshot, System.nanoTime()));
            } else {
                open.remove(id);
            }
        }
        StringBuilder body = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
        for (int i = from; i < to; i++) {
            body.append(i > from ? "," : "").append(snapshot.items().get(i));
        }
        body.append("],\"metadata\":{\"resourceVersion\":\"").append(snapshot.resourceVersion()).append('"');
        if (!next.isEmpty()) {
            body.append(",\"continue\":\"").append(next).append("\",\"remainingItemCount\":").append(size - to);
        }
        body.append("}}");
        return new MockResponse().setResponseCode(200).setBody(body.toString());
    }

    private static String encode(long id, int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((id + ":" + offset).getBytes(StandardCharsets.UTF_8));
    }

    /** {id, offset}, or null for a token this server did not hand out. */
    private static long[] decode(String token) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
            return parts.length == 2 ? new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])} : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long parseOr(String value, long fallback) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static MockResponse expired() {
        return new MockResponse().setResponseCode(410).setHeader("Content-Type", "application/json").setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                        + "\"The provided continue parameter is too old to display a consistent list result. You can"
                        + " start a new list without the continue parameter.\",\"reason\":\"Expired\",\"code\":410}");
    }
}
