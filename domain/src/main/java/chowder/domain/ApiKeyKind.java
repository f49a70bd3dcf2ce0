package chowder.domain;

/** Organization keys have full access to their organization; scoped keys only what they were granted. */
public enum ApiKeyKind {
    ORGANIZATION("chd_org_"),
    SCOPED("chd_sk_");

    private final String prefix;

    ApiKeyKind(String prefix) {
        this.prefix = prefix;
    }

    /** The literal start of every raw key of this kind, which secret scanners can match. */
    public String prefix() {
        return prefix;
    }
}
