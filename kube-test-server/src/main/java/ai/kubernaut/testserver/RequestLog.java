package ai.kubernaut.testserver;

import java.util.ArrayList;
import java.util.List;

/** Append-only, thread-safe log of every request the embedded API server answered. */
public final class RequestLog {

    private final List<RequestRecord> records = new ArrayList<>();

    /** Appends a record; its sequence number is assigned here so the log has no gaps. */
    public synchronized RequestRecord append(long epochMicros, Caller caller, String method, RequestAttributes attrs,
                                             int code, long micros, String query, String body, String fault) {
        RequestRecord record = new RequestRecord(records.size(), epochMicros,
                caller == null ? "anonymous" : caller.service(), caller == null ? "" : caller.namespace(), caller == null ? "" : caller.pod(),
                method, attrs.verb(), attrs.apiGroup(), attrs.namespace(), attrs.resource(), attrs.subresource(),
                attrs.name(), code, micros, query, body, fault);
        records.add(record);
        return record;
    }

    /** Records from {@code fromSeq} (inclusive) on, at most {@code limit}. */
    public synchronized List<RequestRecord> since(long fromSeq, int limit) {
        int from = (int) Math.max(0, Math.min(fromSeq, records.size()));
        int to = (int) Math.min(records.size(), (long) from + limit);
        return new ArrayList<>(records.subList(from, to));
    }

    /** Every record so far. */
    public synchronized List<RequestRecord> all() {
        return new ArrayList<>(records);
    }

    public synchronized long size() {
        return records.size();
    }
}
