package ai.kubernaut.testserver.model.sample;

/** A stand-in for a generated model class (ModelContractTest). */
public class SampleA {
}
