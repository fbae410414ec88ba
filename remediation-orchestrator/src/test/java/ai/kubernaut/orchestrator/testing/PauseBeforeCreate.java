package ai.kubernaut.orchestrator.testing;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Pauses the first reconcile of one RR right before its WFE create (under the Lease), until resumed. */
public final class PauseBeforeCreate implements CreationHook {

    private final String requestName;
    private final AtomicBoolean used = new AtomicBoolean();
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);
    private volatile String decided;

    public PauseBeforeCreate(String requestName) {
        this.requestName = requestName;
    }

    @Override
    public void beforeCreate(RemediationRequest request, String workflowExecution) {
        if (!request.getMetadata().getName().equals(requestName) || !used.compareAndSet(false, true)) {
            return;
        }
        decided = workflowExecution;
        paused.countDown();
        try {
            if (!resume.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never resumed the paused holder");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isPaused() {
        return paused.getCount() == 0 && resume.getCount() == 1;
    }

    /** The WFE name the paused reconcile decided to create. */
    public String decided() {
        return decided;
    }

    public void resume() {
        resume.countDown();
    }
}
