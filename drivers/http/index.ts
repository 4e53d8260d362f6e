/**
 * http: GETs a device's status endpoints as its profile says (profiles/), JSON or HiLink XML,
 * and turns fields into samples. One poll = the profile's endpoints in order (plus the HiLink
 * session request); the first failure ends the poll with a PollError, except a 404: that endpoint
 * (block) is unsupported and the rest of the poll stands, unless no endpoint is there at all.
 */
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";
import { BlockSupport } from "../shared/blocks.ts";
import { BLOCK_SUPPORTED } from "../shared/model.ts";
import { createHttpClient, type HttpClient, httpStatusOf } from "./client.ts";
import { extractSamples, parseBody } from "./extract.ts";
import { HilinkSession } from "./hilink.ts";
import { httpOptions } from "./options.ts";
import { httpProfiles } from "./profiles/index.ts";

export { httpOptions } from "./options.ts";

export const httpDriver = defineDriver({
  protocol: "http",
  options: httpOptions,
  profiles: () => new Map(Object.entries(httpProfiles)),
  create(device, ctx): PolledDriver {
    const o = device.options;
    const profile = httpProfiles[o.profile];
    const target = `http ${new URL(o.url).host}`;
    let client: HttpClient | undefined;
    let session: HilinkSession | undefined;
    const auth = o.auth;
    const login =
      auth?.type === "hilink"
        ? { username: auth.username, password: () => auth.password.reveal() }
        : undefined;
    const blocks = profile.endpoints.map((e) => e.block ?? e.path);
    const support = new BlockSupport(device.id, ctx.log);
    return {
      shape: "polled",
      metrics: [...profile.metrics, BLOCK_SUPPORTED],
      rules: profile.rules,
      async poll(signal) {
        client ??= createHttpClient(o, target);
        if (profile.session === "hilink") session ??= new HilinkSession(client, target, login);
        for (let attempt = 0; ; attempt++) {
          const reused = session?.cached ?? false;
          try {
            const headers = session ? await session.headers(signal) : {};
            const samples: Sample[] = [];
            /** Endpoints the device does not have (404), with the error it gave. */
            const missing = new Map<string, PollError>();
            for (const endpoint of profile.endpoints) {
              const context = `${target} GET ${endpoint.path}`;
              let text: string;
              try {
                ({ text } = await client.get(endpoint.path, signal, headers));
              } catch (err) {
                if (!(err instanceof PollError) || httpStatusOf(err) !== 404) throw err;
                missing.set(endpoint.block ?? endpoint.path, err);
                continue;
              }
              samples.push(...extractSamples(parseBody(text, endpoint.format, context), endpoint, context));
            }
            samples.push(...support.samples(blocks, missing));
            return samples;
          } catch (err) {
            // A kept HiLink session may have expired on the device: start a new one, once.
            if (session && reused && attempt === 0 && err instanceof PollError && err.kind === "auth") {
              session.invalidate();
              continue;
            }
            if (err instanceof PollError && err.kind === "auth") session?.invalidate();
            throw err;
          }
        }
      },
      async close() {
        await client?.close();
        client = undefined;
        session = undefined;
      },
    };
  },
});
