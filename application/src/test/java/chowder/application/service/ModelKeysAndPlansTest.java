package chowder.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chowder.application.port.in.OrganizationDetails;
import chowder.application.port.in.RegisterInstanceCommand;
import chowder.domain.Caller;
import chowder.domain.ChowderException;
import chowder.domain.ErrorCode;
import chowder.domain.Instance;
import chowder.domain.ModelProviderName;
import chowder.domain.OrganizationPlan;
import chowder.domain.UsageLimits;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Organizations' model keys, the plan the operator sets, and which providers a provisioned instance may use. */
class ModelKeysAndPlansTest extends ModelAccessFixture {
    @Test
    void modelKeysAreMergedAndRemovedAndOnlyTheirProvidersAreShown() {
        Caller acme = callerOf(organizations.create("Acme"));

        OrganizationDetails withKeys = organizations.update(acme, Optional.empty(), Map.of("openai", "sk-openai-1", "anthropic", "sk-ant-1"));
        assertThat(withKeys.modelProviders()).containsExactlyInAnyOrder(ModelProviderName.OPENAI, ModelProviderName.ANTHROPIC);
        OrganizationDetails merged = organizations.update(acme, Optional.of("Acme Corp"), Map.of("openai", ""));
        assertThat(merged.modelProviders()).containsExactly(ModelProviderName.ANTHROPIC);
        assertThat(merged.organization().name()).isEqualTo("Acme Corp");
        assertThat(store.keyOf(acme.organizationId(), ModelProviderName.ANTHROPIC)).hasValueSatisfying(key ->
                assertThat(key.value()).isEqualTo("sk-ant-1"));
        assertThat(merged.toString()).doesNotContain("sk-ant-1");

        // Nothing is written when one entry is wrong, and no error quotes a key.
        assertThatThrownBy(() -> organizations.update(acme, Optional.of("Renamed"), Map.of("gemini", "sk-gem", "mistral", "sk-mis")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains("unknown provider 'mistral'").doesNotContain("sk-mis").doesNotContain("sk-gem");
                });
        assertThatThrownBy(() -> organizations.update(acme, Optional.empty(), Map.of("gemini", "sk with spaces")))
                .isInstanceOfSatisfying(ChowderException.class, e -> assertThat(e.getMessage()).startsWith("model_api_keys.gemini: ")
                        .doesNotContain("sk with spaces"));
        assertThat(organizations.get(acme).organization().name()).isEqualTo("Acme Corp");
        assertThat(organizations.get(acme).modelProviders()).containsExactly(ModelProviderName.ANTHROPIC);
    }

    @Test
    void theOperatorsPlanSetsTheTierAndInstanceLimitThatTheOrganizationSees() {
        Caller acme = callerOf(organizations.create("Acme"));
        ModelAccessService access = access(true);
        InstanceService instances = instances(access);
        assertThat(organizations.get(acme).instanceLimit()).hasValue(5);
        assertThat(organizations.get(acme).plan().tier()).isEqualTo(OrganizationPlan.DEFAULT_TIER);

        limits.setPlan(Caller.allOrganizations(), acme.organizationId(), new OrganizationPlan("team", OptionalInt.of(1), UsageLimits.NONE,
                Optional.empty()));
        instances.register(RegisterInstanceCommand.of(acme, "one", "http://127.0.0.1:1", "t"));
        assertThatThrownBy(() -> instances.register(RegisterInstanceCommand.of(acme, "two", "http://127.0.0.1:1", "t")))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_LIMIT_REACHED);
                    assertThat(e.getMessage()).isEqualTo("Instance limit reached: this organization may have 1 instance.");
                });
        OrganizationDetails details = organizations.get(acme);
        assertThat(details.plan().tier()).isEqualTo("team");
        assertThat(details.instanceLimit()).hasValue(1);
        assertThat(details.instanceCount()).isEqualTo(1);
        // Only the operator sets a plan.
        assertCode(() -> limits.setPlan(acme, acme.organizationId(), OrganizationPlan.DEFAULT), ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aProvisionedInstanceNeedsAProviderItsOrganizationCanUse() {
        Caller acme = callerOf(organizations.create("Acme"));
        InstanceService instances = instances(access(true));

        // The hosted default (anthropic) needs the organization's own key: the operator has none for it.
        assertThatThrownBy(() -> instances.register(provisioned(acme, null)))
                .isInstanceOfSatisfying(ChowderException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).isEqualTo("model_provider anthropic: this organization holds no key for it; add one with "
                            + "PATCH /v1/organization {\"model_api_keys\": {\"anthropic\": \"…\"}}.");
                });
        assertCode(() -> instances.register(provisioned(acme, "mistral")), ErrorCode.VALIDATION_FAILED);
        assertThat(store.instances).isEmpty();

        organizations.update(acme, Optional.empty(), Map.of("anthropic", "sk-ant-acme"));
        Instance withOwnKey = instances.register(provisioned(acme, null));
        assertThat(withOwnKey.settings().modelProvider()).hasValue("anthropic");
        // Operator's providers: one needing no key, one with the operator's key; both allowed by default.
        instances.register(provisioned(acme, "local"));
        instances.register(provisioned(acme, "paid"));
        assertThat(provisioner.started).hasSize(3);
        assertThat(provisioner.started).extracting(RecordingProvisioner.Started::credential).doesNotHaveDuplicates()
                .allSatisfy(credential -> assertThat(credential).startsWith("chm_").doesNotContain("sk-"));

        // CHOWDER_OPERATOR_MODEL_KEYS=none: only organizations the operator allows use its providers.
        InstanceService strict = instances(access(false));
        assertCode(() -> strict.register(provisioned(acme, "paid")), ErrorCode.VALIDATION_FAILED);
        limits.setPlan(Caller.allOrganizations(), acme.organizationId(), new OrganizationPlan("team", OptionalInt.empty(), UsageLimits.NONE,
                Optional.of(true)));
        strict.register(provisioned(acme, "paid"));
    }
}
