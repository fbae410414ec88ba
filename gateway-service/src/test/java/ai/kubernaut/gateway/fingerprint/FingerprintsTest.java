package ai.kubernaut.gateway.fingerprint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.kubernaut.gateway.signal.Signal;
import org.junit.jupiter.api.Test;

class FingerprintsTest {

    @Test
    void namespacedResourceWithAndWithoutClusterId() {
        Signal.Resource cart = new Signal.Resource("Deployment", "cart", "shop", "apps/v1");
        assertEquals("shop:Deployment:cart", Fingerprints.key("", cart));
        assertEquals("prod-eu:shop:Deployment:cart", Fingerprints.key("prod-eu", cart));
        // values from `echo -n ... | sha256sum`
        assertEquals("3e1358e2c5121b674e7543f385ca3ff7d99cac5b91409d4af44a88248b4f3082", Fingerprints.of("", cart));
        assertEquals("191d3e944ddda7dacdc6dc2fb68469f91bed8a0c4bf5aba5922d56d3bc754528",
                Fingerprints.of("prod-eu", cart));
        assertEquals(Fingerprints.of("", cart), Fingerprints.of(null, cart));
    }

    @Test
    void clusterScopedResourceHashesWithAnEmptyNamespace() {
        Signal.Resource node = new Signal.Resource("Node", "worker-1", "", "v1");
        assertEquals(":Node:worker-1", Fingerprints.key("", node));
        assertEquals("5811a14c33e6ea55be7f43355c2cffd48201fcbf3fc51c48a3f58e375e6f7ccc", Fingerprints.of("", node));
    }

    @Test
    void fingerprintIsLowercaseHexOf64CharsAndIgnoresApiVersion() {
        String fp = Fingerprints.of("c", new Signal.Resource("Pod", "p", "n", "v1"));
        assertEquals(64, fp.length());
        assertEquals(fp, fp.toLowerCase());
        assertEquals(fp, Fingerprints.of("c", new Signal.Resource("Pod", "p", "n", "")));
        assertNotEquals(fp, Fingerprints.of("c", new Signal.Resource("Pod", "p", "m", "v1")));
    }
}
