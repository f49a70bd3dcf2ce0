package chowder.application.port.in;

import chowder.domain.ChowderException;
import chowder.domain.TokenUsage;
import java.util.Optional;

/** The second half of forwarding, once the gateway answered: the turn in the session registry and the budgets. */
public interface RecordTurnUseCase {
    /** Notes an answered turn with the usage the gateway reported (none: no tokens). */
    void recordTurn(ForwardingTarget target, Optional<TokenUsage> usage);

    /**
     * What the caller is told of a gateway failure: a turn whose model call Chowder refused for a spent budget ends in
     * the gateway's bare 500, which becomes the refusal; anything else stays as it is.
     */
    ChowderException explain(ForwardingTarget target, ChowderException failure);
}
