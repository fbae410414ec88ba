package ai.kubernaut.e2e.replica;

/**
 * A Service's endpoints as its clients see them: the pods they send new requests to. A rollout adds a pod once it
 * is ready and removes a terminating one (late: see {@link PodTermination}).
 */
public interface Endpoints {

    /** For a service nobody sends requests to (the orchestrator has no Service). */
    Endpoints NONE = new Endpoints() {
        @Override
        public void add(Replica replica) {
        }

        @Override
        public void remove(Replica replica) {
        }
    };

    void add(Replica replica);

    void remove(Replica replica);
}
