package chowder.application.service;

/**
 * Whether organizations may use the operator's model providers (with the operator's key, or a provider that needs none)
 * when the operator set nothing for them: {@code CHOWDER_OPERATOR_MODEL_KEYS} ({@code all} or {@code none}); an
 * organization's plan may say otherwise.
 */
public record ModelAccessPolicy(boolean operatorKeysByDefault) {
    public static final ModelAccessPolicy OPERATOR_KEYS_FOR_ALL = new ModelAccessPolicy(true);
}
