/**
 * http: GETs a device's status endpoints as its profile says (profiles/), JSON or HiLink XML,
 * and turns fields into samples. One poll = the profile's endpoints in order (plus the HiLink
 * session request); the first failure ends the poll with a PollError.
 */
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";
import { createHttpClient, type HttpClient } from "./client.ts";
import { extractSamples, parseBody } from "./extract.ts";
import { HilinkSession } from "./hilink.ts";
import { httpOptions } from "./options.ts";
import { httpProfiles } from "./profiles/index.ts";

export { httpOptions } from "./options.ts";

export const httpDriver = defineDriver({
  protocol: "http",
  options: httpOptions,
  profiles: () => new Map(Object.entries(httpProfiles)),
  create(device, _ctx): PolledDriver {
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
    return {
      shape: "polled",
      metrics: profile.metrics,
      rules: profile.rules,
      async poll(signal) {
        client ??= createHttpClient(o, target);
        if (profile.session === "hilink") session ??= new HilinkSession(client, target, login);
        for (let attempt = 0; ; attempt++) {
          const reused = session?.cached ?? false;
          try {
            const headers = session ? await session.headers(signal) : {};
            const samples: Sample[] = [];
            for (const endpoint of profile.endpoints) {
              const context = `${target} GET ${endpoint.path}`;
              const { text } = await client.get(endpoint.path, signal, headers);
              samples.push(...extractSamples(parseBody(text, endpoint.format, context), endpoint, context));
            }
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
