package ai.kubernaut.gateway.auth;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * How many reviews of unknown tokens a replica starts per second: a token bucket of {@code perSecond} tokens,
 * refilled continuously, full at the start. Bounds what a spray of random tokens costs the API server in
 * TokenReviews per second whatever it answers; known senders never take from it (their answers are cached).
 * Only unknown tokens reach it, so its lock is not on the path of known senders.
 */
final class ReviewRate {

    private final double perNano;
    private final double burst;
    private final Ticker ticker;
    private double available;
    private long last;

    /** @param perSecond reviews per second and burst; 0 = no limit */
    ReviewRate(int perSecond, Ticker ticker) {
        this.perNano = perSecond / 1e9;
        this.burst = perSecond;
        this.ticker = ticker;
        this.available = perSecond;
        this.last = ticker.read();
    }

    /** Whether the bucket has less than one review now (takes nothing). */
    synchronized boolean isEmpty() {
        if (burst <= 0) {
            return false;
        }
        return Math.min(burst, available + (ticker.read() - last) * perNano) < 1;
    }

    /** Takes one review from the bucket; false when it is empty (the request is shed). */
    synchronized boolean tryAcquire() {
        if (burst <= 0) {
            return true;
        }
        long now = ticker.read();
        available = Math.min(burst, available + (now - last) * perNano);
        last = now;
        if (available >= 1) {
            available -= 1;
            return true;
        }
        return false;
    }
}
