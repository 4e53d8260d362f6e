/**
 * WeCom's API and the SMS/voice gateway that Alertmanager's receivers call (config/alertmanager),
 * played on a loopback port for the alerting tests: WeCom hands out a token and takes messages,
 * the gateway takes every call, anything else is 404. Every request is recorded, in order.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface PhoneCall {
  /** The path without the query: `/wecom/message/send`, `/gateway/…`. */
  path: string;
  /** The gateway's `to` parameter ("" when absent). */
  to: string;
  authorization: string | undefined;
  /** The request body as sent (JSON text). */
  body: string;
  /** When it arrived (ms since epoch, real time). */
  at: number;
}

export async function startPhones(): Promise<{ url: string; calls: PhoneCall[]; close(): Promise<void> }> {
  const calls: PhoneCall[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      calls.push({
        path: url.pathname,
        to: url.searchParams.get("to") ?? "",
        authorization: req.headers.authorization,
        body,
        at: Date.now(),
      });
      res.setHeader("content-type", "application/json");
      if (url.pathname === "/wecom/gettoken")
        res.end(JSON.stringify({ errcode: 0, errmsg: "ok", access_token: "tok", expires_in: 7200 }));
      else if (url.pathname === "/wecom/message/send") res.end(JSON.stringify({ errcode: 0, errmsg: "ok" }));
      else if (url.pathname.startsWith("/gateway/")) res.end("{}");
      else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
