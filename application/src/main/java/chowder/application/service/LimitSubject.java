package chowder.application.service;

import chowder.domain.UsageLimits;

/**
 * Whose limits a request counts against: its counter's name ({@code id}), how a refusal names it ({@code label}), its
 * limits and the version of their setting.
 */
record LimitSubject(Kind kind, String id, String label, UsageLimits limits, long version) {
    enum Kind {
        SESSION,
        KEY,
        ORGANIZATION
    }
}
