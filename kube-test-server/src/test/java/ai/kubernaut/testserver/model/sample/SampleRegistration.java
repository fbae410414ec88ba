package ai.kubernaut.testserver.model.sample;

/** A stand-in for a service's reflection registration class (ModelContractTest). */
public final class SampleRegistration {
}
