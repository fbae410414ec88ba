/** Jittered exponential backoff and a retry runner (placeholder until implemented). */
package ai.kubernaut.backoff;
