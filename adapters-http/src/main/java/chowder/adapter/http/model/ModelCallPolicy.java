package chowder.adapter.http.model;

import chowder.application.port.in.AuthorizeModelCallUseCase.Account;
import chowder.domain.ModelApi;
import java.util.Set;

/**
 * What a model call may not ask for, because it is spent other than in tokens (which budgets count) or because it would
 * reach past one organization on a shared account. OpenClaw asks for none of it: it sends function tools, streams, and
 * {@code store: false} to the Responses API. Each refusal is a 400 whose reason is counted.
 *
 * <ul>
 *   <li>{@code service_tier} other than {@code auto}, {@code default}, {@code flex} or {@code standard_only}: OpenAI's
 *       {@code priority} costs more per token and {@code scale} draws on the account's prepaid units;
 *   <li>{@code background: true} (Responses): the call runs on after its answer, which reports no usage;
 *   <li>tools the provider runs and bills itself (web search per search, code execution per session, file search,
 *       MCP connectors): OpenAI tools whose {@code type} is not {@code function} or {@code custom}, Anthropic tools
 *       with a {@code type} other than {@code custom}, and chat completions' {@code web_search_options};
 *   <li>on the operator's account only: {@code previous_response_id} and {@code conversation} (state kept in the
 *       operator's account, which every organization sharing it could name) and {@code store: true}.
 * </ul>
 */
final class ModelCallPolicy {
    private static final Set<String> SERVICE_TIERS = Set.of("auto", "default", "flex", "standard_only");
    private static final Set<String> OPENAI_TOOLS = Set.of("function", "custom");

    private ModelCallPolicy() {}

    /** Throws {@link ModelCallRefused} for the first thing the call may not ask for. */
    static void check(BodyFields body, ModelApi api, Account account) {
        body.serviceTier().filter(tier -> !SERVICE_TIERS.contains(tier)).ifPresent(tier -> {
            throw refused("service_tier", "service_tier \"" + shorten(tier) + "\" is not allowed: only auto, default, flex or standard_only, "
                    + "which cost no more per token than the provider's standard rate.");
        });
        if (body.background()) {
            throw refused("background", "background: true is not allowed: a background response runs on after its answer and reports no "
                    + "usage to meter.");
        }
        for (int i = 0; i < body.toolTypes().size(); i++) {
            String type = body.toolTypes().get(i);
            boolean clientTool = type == null || (api == ModelApi.ANTHROPIC_MESSAGES ? type.equals("custom") : OPENAI_TOOLS.contains(type));
            if (!clientTool) {
                throw refused("server_tool", "tools[" + i + "] of type \"" + shorten(type) + "\" is not a function tool: the provider's own "
                        + "tools (web search, code execution, …) are billed beyond tokens; only function tools go through this endpoint.");
            }
        }
        if (body.webSearchOptions()) {
            throw refused("server_tool", "web_search_options is not allowed: the provider bills each search beyond tokens.");
        }
        if (account == Account.OPERATOR) {
            operatorsAccount(body);
        }
    }

    private static void operatorsAccount(BodyFields body) {
        String shared = "this call runs on the operator's account, which other organizations share";
        if (body.previousResponseId()) {
            throw refused("previous_response_id", "previous_response_id is not allowed: " + shared + "; send the conversation instead.");
        }
        if (body.conversation()) {
            throw refused("conversation", "conversation is not allowed: " + shared + "; send the conversation instead.");
        }
        if (body.store().orElse(false)) {
            throw refused("store", "store: true is not allowed: " + shared + ", which must not keep this organization's messages.");
        }
    }

    private static ModelCallRefused refused(String reason, String message) {
        return new ModelCallRefused(Refusal.badRequest(reason, message));
    }

    private static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
