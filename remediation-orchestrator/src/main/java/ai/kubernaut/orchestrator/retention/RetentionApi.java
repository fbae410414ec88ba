package ai.kubernaut.orchestrator.retention;

import java.util.Collection;
import java.util.List;

/**
 * The calls a sweep makes, in the controller namespace. Narrow on purpose (like the lock's {@code LeaseApi}) so
 * that the sweep is unit-tested against an in-memory fake with a fake clock. Errors other than the answers below
 * are runtime exceptions: the sweep stops and the next one starts over.
 */
public interface RetentionApi {

    /** One page of a paged LIST and the token of the next ({@code null} after the last). */
    record Page<T>(List<T> items, String continueToken) {
    }

    /** What a DELETE with uid and resourceVersion preconditions did. */
    enum Deletion {
        /** Deleted now. */
        DELETED,
        /** Already gone (404). */
        GONE,
        /** The object changed since it was listed (409 on a precondition): it stays. */
        CHANGED
    }

    /** RRs of {@code shards}: with the label {@code kubernaut.ai/terminal=true}, or without it. */
    Page<Stored.Request> requests(Collection<String> shards, boolean labelledTerminal, int limit, String continueToken);

    /** WFEs of {@code shards}. */
    Page<Stored.Execution> executions(Collection<String> shards, int limit, String continueToken);

    /** Every Lease of the namespace (left-behind ones are found by name, labelled or not). */
    Page<Stored.LeaseCopy> leases(int limit, String continueToken);

    Deletion deleteRequest(String name, String uid, String resourceVersion);

    Deletion deleteExecution(String name, String uid, String resourceVersion);

    Deletion deleteLease(String name, String uid, String resourceVersion);

    /** The {@code kubernaut.ai/terminal=true} label on a terminal RR; false when it is gone. */
    boolean labelTerminal(String name);

    /** A GET by name (a single-key read): whether an RR of that name exists now. */
    boolean requestExists(String name);

    /** A GET by name: whether a WFE of that name exists now. */
    boolean executionExists(String name);
}
