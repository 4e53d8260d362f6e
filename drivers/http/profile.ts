/**
 * What an HTTP device model is, as data: the endpoints to GET, how to read each answer (JSON,
 * or HiLink-style flat XML), and which field becomes which sample. The driver interprets it.
 */
import type { DeviceModel } from "../../src/core/types.ts";

export interface HttpField {
  metric: string;
  labels?: Readonly<Record<string, string>>;
  /** JSON: a dotted path with [n] indices ("call.lines[0].state"); XML: the child element's name. */
  path: string;
  /**
   * How the value becomes a number: booleans give 1/0, numbers pass, strings are read as numbers
   * after dropping a [<>=] prefix and a unit suffix ("-95dBm", ">=-51dBm", "12dB").
   * `anyOf` makes the sample 1 when the value (as text) is one of these, else 0.
   */
  anyOf?: readonly (string | number | boolean)[];
  scale?: number;
  /** A missing field is skipped instead of failing the poll as a profile mismatch. */
  optional?: boolean;
}

export interface HttpEndpoint {
  /** Names the endpoint in `profile_block_supported{block}` (default: its path). */
  block?: string;
  /** Path and query appended to the device's url. */
  path: string;
  format: "json" | "xml";
  fields: readonly HttpField[];
}

export interface HttpProfile extends DeviceModel {
  endpoints: readonly HttpEndpoint[];
  /** `hilink`: fetch a session cookie and CSRF token from /api/webserver/SesTokInfo first. */
  session?: "hilink";
  /** Where the API comes from: a public source, or "assumed" with what to verify. */
  source: string;
}
