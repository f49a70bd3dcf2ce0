// One call of the official OpenAI SDK's Responses API, as a client of Chowder would make it:
//   new OpenAI({ baseURL, apiKey }).responses.create({ model, input, stream })
// Environment: OPENAI_SDK_DIR (the install holding node_modules/openai), BASE_URL, API_KEY, INPUT,
// STREAM ("true" to stream), optional INSTRUCTIONS.
// Prints one JSON object on stdout:
//   not streamed: {"id", "status", "model", "output_text"}
//   streamed:     {"events": [event types in order], "deltas": "<output_text.delta texts joined>",
//                  "completed_output_text": "<output text of the response.completed event>"}
//   API error:    {"error": {"status", "name", "message"}} and exit code 2.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const required = (name) => {
  const value = process.env[name];
  if (value === undefined || value === "") {
    console.error(`${name} is not set`);
    process.exit(1);
  }
  return value;
};

const sdkDirectory = required("OPENAI_SDK_DIR");
const entry = createRequire(path.join(sdkDirectory, "package.json")).resolve("openai");
const sdk = await import(pathToFileURL(entry).href);
const OpenAI = sdk.OpenAI ?? sdk.default?.OpenAI ?? sdk.default;

// No retries: a failure must show, not be retried away.
const client = new OpenAI({ baseURL: required("BASE_URL"), apiKey: required("API_KEY"), maxRetries: 0, timeout: 90_000 });
const request = { model: "claude-sonnet-4-20250514", input: required("INPUT") };
if (process.env.INSTRUCTIONS) {
  request.instructions = process.env.INSTRUCTIONS;
}

try {
  if (process.env.STREAM === "true") {
    const stream = await client.responses.create({ ...request, stream: true });
    const events = [];
    let deltas = "";
    let completedOutputText = null;
    for await (const event of stream) {
      events.push(event.type);
      if (event.type === "response.output_text.delta") {
        deltas += event.delta;
      } else if (event.type === "response.completed") {
        completedOutputText = (event.response.output ?? [])
          .flatMap((item) => item.content ?? [])
          .filter((part) => part.type === "output_text")
          .map((part) => part.text)
          .join("");
      }
    }
    console.log(JSON.stringify({ events, deltas, completed_output_text: completedOutputText }));
  } else {
    const response = await client.responses.create(request);
    console.log(JSON.stringify({
      id: response.id,
      status: response.status,
      model: response.model,
      output_text: response.output_text,
    }));
  }
} catch (error) {
  if (error instanceof OpenAI.APIError) {
    console.log(JSON.stringify({ error: { status: error.status ?? null, name: error.name, message: error.message } }));
    process.exit(2);
  }
  throw error;
}
