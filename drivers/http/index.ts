/**
 * http: GETs a device's status endpoints as its profile says (profiles/), JSON or HiLink XML,
 * and turns fields into samples. One poll = the profile's endpoints in order (plus the HiLink
 * session request); the first failure ends the poll with a PollError.
 */
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";
import { createHttpClient, type HttpClient } from "./client.ts";
import { extractSamples, parseBody, parseFlatXml } from "./extract.ts";
import { httpOptions } from "./options.ts";
import { httpProfiles } from "./profiles/index.ts";

export { httpOptions } from "./options.ts";

/** HiLink: a session cookie and CSRF token for the next requests. */
async function hilinkSession(
  client: HttpClient,
  signal: AbortSignal,
  target: string,
): Promise<Record<string, string>> {
  const { text } = await client.get("/api/webserver/SesTokInfo", signal);
  let fields: Record<string, string>;
  try {
    fields = parseFlatXml(text).fields;
  } catch (err) {
    throw new PollError("protocol", `${target} GET /api/webserver/SesTokInfo: invalid XML`, { cause: err });
  }
  if (!fields.SesInfo || !fields.TokInfo)
    throw new PollError("decode", `${target} GET /api/webserver/SesTokInfo: no SesInfo/TokInfo`);
  return { cookie: fields.SesInfo, __RequestVerificationToken: fields.TokInfo };
}

export const httpDriver = defineDriver({
  protocol: "http",
  options: httpOptions,
  profiles: () => new Map(Object.entries(httpProfiles)),
  create(device, _ctx): PolledDriver {
    const o = device.options;
    const profile = httpProfiles[o.profile];
    const target = `http ${new URL(o.url).host}`;
    let client: HttpClient | undefined;
    return {
      shape: "polled",
      metrics: profile.metrics,
      rules: profile.rules,
      async poll(signal) {
        client ??= createHttpClient(o, target);
        const headers = profile.session === "hilink" ? await hilinkSession(client, signal, target) : {};
        const samples: Sample[] = [];
        for (const endpoint of profile.endpoints) {
          const context = `${target} GET ${endpoint.path}`;
          const { text } = await client.get(endpoint.path, signal, headers);
          samples.push(...extractSamples(parseBody(text, endpoint.format, context), endpoint, context));
        }
        return samples;
      },
      async close() {
        await client?.close();
        client = undefined;
      },
    };
  },
});
