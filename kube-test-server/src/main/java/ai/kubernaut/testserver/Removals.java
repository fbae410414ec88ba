package ai.kubernaut.testserver;

import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The objects that left the store lately, each with its attributes and last state: deleted ones, and those whose
 * attributes (labels) changed, so that a watch resumed from a resourceVersion can be told what left its selection,
 * as a real server's watch cache tells it (a DELETED event), instead of never hearing of it. Bounded like a watch
 * cache: once a removal newer than a watch's resourceVersion is forgotten, that watch is answered 410 Expired and
 * the client lists again. Guarded by the store's lock.
 */
final class Removals {

    /** Kept removals: a real server's watch cache keeps the last few thousand events per type, too. */
    static final int CAPACITY = 10_000;

    record Removal(AttributeSet attributes, String lastState, long resourceVersion) {
    }

    private final ArrayDeque<Removal> kept = new ArrayDeque<>();
    /** The newest resourceVersion among the removals forgotten: a watch from before it cannot be replayed. */
    private long forgottenUpTo;

    void add(AttributeSet attributes, String lastState, long resourceVersion) {
        kept.addLast(new Removal(attributes, lastState, resourceVersion));
        if (kept.size() > CAPACITY) {
            forgottenUpTo = Math.max(forgottenUpTo, kept.removeFirst().resourceVersion());
        }
    }

    /** The last removal came back with the same attributes (an update that kept its labels): not a removal. */
    void putBack(AttributeSet attributes) {
        Removal last = kept.peekLast();
        if (last != null && last.attributes().equals(attributes)) {
            kept.removeLast();
        }
    }

    /** Whether every removal after {@code since} is still known. */
    boolean coversSince(long since) {
        return since >= forgottenUpTo;
    }

    /** The removals after {@code since}, oldest first. */
    List<Removal> since(long since) {
        List<Removal> after = new ArrayList<>();
        for (Removal r : kept) {
            if (r.resourceVersion() > since) {
                after.add(r);
            }
        }
        return after;
    }

    void clear() {
        kept.clear();
        forgottenUpTo = 0;
    }
}
