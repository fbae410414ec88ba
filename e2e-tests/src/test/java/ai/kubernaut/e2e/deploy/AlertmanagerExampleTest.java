package ai.kubernaut.e2e.deploy;

import ai.kubernaut.e2e.alertmanager.AlertmanagerBinaries;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped Alertmanager receiver (deploy/monitoring/alertmanager/alertmanager.yaml) is a valid Alertmanager
 * configuration (amtool check-config, the real tool: it fails loudly when Alertmanager is not installed), points
 * at the Gateway Service as deployed, and authenticates with a token file of a ServiceAccount bound to the
 * shipped signal-sender Role. AlertmanagerIT runs the same receiver with real Alertmanagers.
 */
class AlertmanagerExampleTest {

    /** The Gateway's default gateway.http.max-body-size; a bigger notification is answered 413 and dropped. */
    private static final int GATEWAY_BODY_LIMIT = 100 * 1024;
    /** The Gateway's default gateway.limits.max-alerts (gateway-service README, "Signal limits"). */
    private static final int GATEWAY_MAX_ALERTS = 64;
    /** A kube-prometheus alert with its annotations and generatorURL as Alertmanager sends it, generously. */
    private static final int LARGE_ALERT_BYTES = 2 * 1024;

    @Test
    void amtoolAcceptsTheShippedConfig() throws Exception {
        AmtoolResult result = checkConfig(DeployFiles.ALERTMANAGER_CONFIG);
        assertEquals(0, result.exitCode(), "amtool check-config: " + result.output());
        assertTrue(result.output().contains("SUCCESS"), result.output());
    }

    @Test
    void amtoolRejectsABrokenCopy() throws Exception {
        // the check above is only worth something if amtool really validates (here: a non-numeric max_alerts)
        String text = DeployFiles.read(DeployFiles.ALERTMANAGER_CONFIG);
        String broken = text.replaceFirst("max_alerts: \\d+", "max_alerts: lots");
        assertNotEquals(text, broken);
        Path copy = Files.createTempFile("alertmanager-broken-", ".yaml");
        try {
            Files.writeString(copy, broken);
            AmtoolResult result = checkConfig(copy);
            assertNotEquals(0, result.exitCode(), "amtool must reject: " + result.output());
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Test
    void receiverSendsToTheGatewayServiceWithAProjectedTokenAndBoundedNotifications() {
        Map<String, Object> webhook = kubernautWebhook();
        Service gateway = DeployFiles.one(DeployFiles.rendered("prod"), Service.class, "gateway-service");
        int port = gateway.getSpec().getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow().getPort();
        assertEquals("http://gateway-service." + gateway.getMetadata().getNamespace() + ".svc:" + port
                + "/api/v1/signals/prometheus", webhook.get("url"));

        Map<?, ?> authorization = (Map<?, ?>) ((Map<?, ?>) webhook.get("http_config")).get("authorization");
        assertEquals("Bearer", authorization.get("type"));
        assertTrue(String.valueOf(authorization.get("credentials_file")).startsWith("/var/run/secrets/"),
                "a token file (projected ServiceAccount token), never an inline credential: " + authorization);
        assertFalse(authorization.containsKey("credentials"), "no inline token");

        assertTrue(webhook.containsKey("send_resolved"), "send_resolved is chosen explicitly");
        int maxAlerts = (Integer) webhook.get("max_alerts");
        assertTrue(maxAlerts > 0, "max_alerts bounds the notification (0 = unbounded)");
        assertTrue(maxAlerts * LARGE_ALERT_BYTES < GATEWAY_BODY_LIMIT,
                maxAlerts + " large alerts would not fit the Gateway's " + GATEWAY_BODY_LIMIT + " byte body limit (413)");
        assertTrue(maxAlerts <= GATEWAY_MAX_ALERTS, maxAlerts + " alerts are over the Gateway's "
                + "gateway.limits.max-alerts (" + GATEWAY_MAX_ALERTS + "): every full notification would be 413");
    }

    @Test
    void theShippedBindingGrantsTheSignalSenderRole() {
        Path dir = DeployFiles.DEPLOY.resolve("monitoring/alertmanager");
        List<HasMetadata> objects = DeployFiles.load(dir.resolve("signal-sender-binding.yaml"));
        RoleBinding binding = DeployFiles.one(objects, RoleBinding.class, "alertmanager-sends-signals");
        Role sender = DeployFiles.one(DeployFiles.rendered("prod"), Role.class, binding.getRoleRef().getName());
        assertEquals(sender.getMetadata().getNamespace(), binding.getMetadata().getNamespace(),
                "the binding lives where the Role and the Gateway's SubjectAccessReview are");
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(1, binding.getSubjects().size());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind(), "Alertmanager's own ServiceAccount");
        assertEquals(List.of("signal-sender-binding.yaml"), DeployFiles.kustomization(dir).get("resources"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> kubernautWebhook() {
        Map<String, Object> config = (Map<String, Object>) DeployFiles.yamlDocuments(DeployFiles.ALERTMANAGER_CONFIG).get(0);
        assertEquals("kubernaut", ((Map<?, ?>) config.get("route")).get("receiver"));
        Map<String, Object> receiver = ((List<Map<String, Object>>) config.get("receivers")).stream()
                .filter(r -> "kubernaut".equals(r.get("name"))).findFirst().orElseThrow();
        List<Map<String, Object>> webhooks = (List<Map<String, Object>>) receiver.get("webhook_configs");
        assertEquals(1, webhooks.size());
        return webhooks.get(0);
    }

    private record AmtoolResult(int exitCode, String output) {
    }

    private static AmtoolResult checkConfig(Path config) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(AlertmanagerBinaries.amtool().toString(), "check-config", config.toString())
                .redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("amtool check-config did not finish within 60 s");
        }
        return new AmtoolResult(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
